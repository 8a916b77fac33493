package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// chaosConversationsPerGroup × chaosGroups conversations are applied with
// every fault on.
const (
	chaosGroups                = 3
	chaosConversationsPerGroup = 10
)

// TestAccGroupConversation_chaos applies 30 conversations across 3 groups
// while the emulator throttles (429/503/504, with and without Retry-After),
// drops connections after applying creates, hides new conversations for a
// while and enforces the 4-per-mailbox limit. Nothing may be lost or
// duplicated: exactly 30 conversations exist, the state holds exactly their
// ids, a second plan is empty, and a destroy under the same faults leaves
// none. Each seed draws a different sequence of faults.
func TestAccGroupConversation_chaos(t *testing.T) {
	for _, seed := range []int64{11, 12, 13} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			retryAfter := 1
			if seed%2 == 0 {
				retryAfter = -1 // no Retry-After: the provider must back off on its own
			}
			env := newTestEnv(t, emulator.Options{
				Seed:               seed,
				Latency:            10 * time.Millisecond,
				InvisibleFor:       time.Second,
				MailboxConcurrency: 4,
				Faults: emulator.Faults{
					Seed:                seed,
					Statuses:            []int{429, 503, 504},
					Rate:                0.15,
					RetryAfterSeconds:   retryAfter,
					DropAfterCreateRate: 0.2,
				},
			})
			groups := []emulator.Group{env.group}
			for i := 1; i < chaosGroups; i++ {
				groups = append(groups, env.server.AddGroup(emulator.Group{
					DisplayName: fmt.Sprintf("Chaos %d", i), MailNickname: fmt.Sprintf("chaos%d", i), GroupTypes: []string{"Unified"},
				}))
			}
			var groupIDs []string
			for _, g := range groups {
				groupIDs = append(groupIDs, fmt.Sprintf("%q", g.ID))
			}
			config := env.providerConfig(testUserToken) + fmt.Sprintf(`
locals {
  groups = [%s]
  conversations = flatten([
    for g, group_id in local.groups : [
      for i in range(%d) : { group_id = group_id, topic = "Chaos ${g}/${i}" }
    ]
  ])
}

# count, not for_each: terraform-plugin-testing's state checks cannot read
# string instance keys.
resource "msgraph_group_conversation" "chaos" {
  count    = length(local.conversations)
  group_id = local.conversations[count.index].group_id
  topic    = local.conversations[count.index].topic
  body     = { content = "<p>${local.conversations[count.index].topic}</p>" }
}
`, strings.Join(groupIDs, ", "), chaosConversationsPerGroup)

			checkExactlyOnce := func(s *terraform.State) error {
				var inState, inGraph []string
				for address, r := range s.RootModule().Resources {
					if strings.HasPrefix(address, "msgraph_group_conversation.chaos") {
						inState = append(inState, r.Primary.ID)
					}
				}
				for _, g := range groups {
					convs := env.server.Conversations(g.ID)
					if len(convs) != chaosConversationsPerGroup {
						return fmt.Errorf("group %s holds %d conversations, want %d", g.DisplayName, len(convs), chaosConversationsPerGroup)
					}
					for _, c := range convs {
						inGraph = append(inGraph, c.ID)
					}
				}
				sort.Strings(inState)
				sort.Strings(inGraph)
				if strings.Join(inState, ",") != strings.Join(inGraph, ",") {
					return fmt.Errorf("state and Graph disagree:\nstate %v\ngraph %v", inState, inGraph)
				}
				return nil
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					for _, g := range groups {
						if n := len(env.server.Conversations(g.ID)); n != 0 {
							return fmt.Errorf("destroy left %d conversations in group %s", n, g.DisplayName)
						}
					}
					return nil
				},
				Steps: []resource.TestStep{
					{
						// The implicit plan after this apply must be empty too.
						Config: config,
						Check:  checkExactlyOnce,
					},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: checkExactlyOnce,
					},
				},
			})
			counters := env.server.Counters()
			t.Logf("seed %d: %d requests, %d faults injected (%d throttling/unavailable answers, %d connections dropped after a create), %d 429s in all, %d creates sent for %d conversations",
				seed, counters["requests.total"], counters["faults.status"]+counters["faults.dropped"], counters["faults.status"],
				counters["faults.dropped"], counters["status.429"], counters["conversations.create"], chaosGroups*chaosConversationsPerGroup)
			if counters["faults.status"] == 0 || counters["faults.dropped"] == 0 {
				t.Errorf("the faults did not fire (%v); the test proves nothing", counters)
			}
		})
	}
}
