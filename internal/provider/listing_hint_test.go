package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// refreshesPerStep is how many refreshes the testing harness runs between
// one step's checks and the next step's plan checks: the plan that follows
// the earlier step, and the later step's own.
const refreshesPerStep = 2

// refreshCost is a plan check on the requests sent since the counters were
// last reset, by refreshesPerStep refreshes that each cost lists list
// requests and gets GETs.
type refreshCost struct {
	env         *testEnv
	lists, gets int
}

func (c refreshCost) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.env.checkRefreshCost(refreshesPerStep, c.lists, c.gets)
}

// checkRefreshCost compares the requests sent since the last reset with
// refreshes refreshes of lists list requests and gets GETs each, and resets
// the counters.
func (e *testEnv) checkRefreshCost(refreshes, lists, gets int) error {
	counters := e.server.Counters()
	e.server.ResetCounters()
	if counters["conversations.list"] != refreshes*lists || counters["conversations.get"] != refreshes*gets {
		return fmt.Errorf("%d refreshes sent %d list requests and %d GETs, want %d and %d each",
			refreshes, counters["conversations.list"], counters["conversations.get"], lists, gets)
	}
	return nil
}

func (e *testEnv) resetCounters(*terraform.State) error {
	e.server.ResetCounters()
	return nil
}

// What a refresh learnt about listing the group is kept in private state,
// so the next refresh does not ask again. In a large mailbox listed oldest
// first under a page cap, with the filter refused, a refresh without that
// knowledge sends the probe and a first page that serves nothing besides a
// GET each (N+2 requests); one that saved it sends a GET each (N). A hint
// from a service that has changed since (here: it now lists oldest first
// and takes the filter, where it listed newest first) costs the page it
// predicted wrongly, and is corrected by the refresh that finds out.
func TestAccGroupConversation_refreshRemembersListing(t *testing.T) {
	const n, seeded = 5, 200
	tests := []struct {
		name      string
		behaviour emulator.Behaviour
		// hinted is the cost of a refresh after a saved refresh.
		hintedLists, hintedGets int
		// changed, when set, is the service the next refreshes meet:
		// the first costs changedLists and changedGets, and the one after
		// a saved refresh correctedLists and correctedGets.
		changed                      *emulator.Behaviour
		changedLists, changedGets    int
		correctedLists, correctedGet int
	}{
		{name: "oldest first, filter refused", hintedLists: 0, hintedGets: n},
		{name: "newest first, filter refused", behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}, hintedLists: 1, hintedGets: 0},
		{name: "newest first, then oldest first with the filter", behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst},
			hintedLists: 1, hintedGets: 0, changed: &emulator.Behaviour{FilterLastDelivered: true},
			changedLists: 2, changedGets: 0, correctedLists: 1, correctedGet: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{MaxPageSize: 10, Behaviour: tt.behaviour})
			if _, err := env.server.SeedConversations(env.group.ID, seeded, emulator.Principal{DisplayName: "Archive"}); err != nil {
				t.Fatal(err)
			}
			config := env.manyConversations("", n)
			noChange := func(lists, gets int) resource.ConfigPlanChecks {
				return resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					refreshCost{env: env, lists: lists, gets: gets},
				}}
			}
			steps := []resource.TestStep{
				{Config: config, Check: env.resetCounters},
				// A refresh that is saved, with what it learnt.
				{RefreshState: true, Check: env.resetCounters},
				{Config: config, ConfigPlanChecks: noChange(tt.hintedLists, tt.hintedGets), Check: func(*terraform.State) error {
					if tt.changed != nil {
						env.server.SetBehaviour(*tt.changed)
					}
					env.server.ResetCounters()
					return nil
				}},
			}
			if tt.changed != nil {
				steps = append(steps,
					// The plan after the earlier step and this saved refresh
					// both meet the changed service with the stale hint.
					resource.TestStep{RefreshState: true, Check: func(*terraform.State) error {
						return env.checkRefreshCost(refreshesPerStep, tt.changedLists, tt.changedGets)
					}},
					resource.TestStep{Config: config, ConfigPlanChecks: noChange(tt.correctedLists, tt.correctedGet)},
				)
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkConversationCount(seeded),
				Steps:                    steps,
			})
		})
	}
}
