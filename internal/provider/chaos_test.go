package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// chaosConversationsPerGroup × chaosGroups conversations, each with one
// thread added to it, are applied with every fault on.
const (
	chaosGroups                = 3
	chaosConversationsPerGroup = 10
)

// TestAccGroupConversation_chaos applies 30 conversations across 3 groups,
// and a thread in each, while the emulator throttles (429/503/504, with and
// without Retry-After), drops the connection after applying a fifth of the
// creates (conversations and threads alike), hides new conversations and
// threads for a while and enforces the 4-per-mailbox limit. Nothing may be
// lost or duplicated: exactly 30 conversations with exactly two threads
// each (the first and the managed one) exist, the state holds exactly their
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
  # Bounds every operation, so a stuck one fails the test in minutes rather
  # than after the default ten.
  timeout = "3m"
  groups  = [%s]
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
  timeouts {
    create = local.timeout
    read   = local.timeout
    delete = local.timeout
  }
}

resource "msgraph_group_conversation_thread" "chaos" {
  count           = length(local.conversations)
  group_id        = msgraph_group_conversation.chaos[count.index].group_id
  conversation_id = msgraph_group_conversation.chaos[count.index].id
  topic           = msgraph_group_conversation.chaos[count.index].topic
  body            = { content = "<p>Follow-up to ${local.conversations[count.index].topic}</p>" }
  timeouts {
    create = local.timeout
    read   = local.timeout
    delete = local.timeout
  }
}
`, strings.Join(groupIDs, ", "), chaosConversationsPerGroup)

			var lost, duplicated int
			checkExactlyOnce := func(s *terraform.State) error {
				var conversationsInState, threadsInState, conversationsInGraph, threadsInGraph []string
				for address, r := range s.RootModule().Resources {
					switch {
					case strings.HasPrefix(address, "msgraph_group_conversation.chaos"):
						conversationsInState = append(conversationsInState, r.Primary.ID)
					case strings.HasPrefix(address, "msgraph_group_conversation_thread.chaos"):
						threadsInState = append(threadsInState, r.Primary.ID)
					}
				}
				for _, g := range groups {
					for _, c := range env.server.Conversations(g.ID) {
						conversationsInGraph = append(conversationsInGraph, c.ID)
						// The first thread is the conversation's own; the
						// others are managed threads.
						threadsInGraph = append(threadsInGraph, c.ThreadIDs[1:]...)
					}
				}
				l, d := compareIDs(conversationsInState, conversationsInGraph)
				lt, dt := compareIDs(threadsInState, threadsInGraph)
				lost, duplicated = l+lt, d+dt
				want := chaosGroups * chaosConversationsPerGroup
				if lost != 0 || duplicated != 0 || len(conversationsInGraph) != want || len(threadsInGraph) != want {
					return fmt.Errorf("state and Graph disagree: %d lost, %d duplicated; Graph holds %d conversations and %d threads, want %d of each",
						lost, duplicated, len(conversationsInGraph), len(threadsInGraph), want)
				}
				return nil
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					// Deleting a conversation deletes its threads.
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
			t.Logf("seed %d: %d requests, %d faults injected (%d throttling/unavailable answers, %d connections dropped after a create), "+
				"%d 429s in all, %d creates sent (%d conversations, %d threads) for %d conversations and %d threads, %d objects lost, %d duplicated",
				seed, counters["requests.total"], counters["faults.status"]+counters["faults.dropped"], counters["faults.status"],
				counters["faults.dropped"], counters["status.429"], counters["conversations.create"]+counters["threads.create"],
				counters["conversations.create"], counters["threads.create"],
				chaosGroups*chaosConversationsPerGroup, chaosGroups*chaosConversationsPerGroup, lost, duplicated)
			if counters["faults.status"] == 0 || counters["faults.dropped"] == 0 {
				t.Errorf("the faults did not fire (%v); the test proves nothing", counters)
			}
		})
	}
}

// compareIDs counts the ids the state holds that Graph does not (lost) and
// those Graph holds that the state does not (duplicated: made by a create
// Terraform no longer knows of).
func compareIDs(inState, inGraph []string) (lost, duplicated int) {
	graph := make(map[string]int, len(inGraph))
	for _, id := range inGraph {
		graph[id]++
	}
	for _, id := range inState {
		if graph[id] == 0 {
			lost++
			continue
		}
		graph[id]--
	}
	for _, n := range graph {
		duplicated += n
	}
	return lost, duplicated
}
