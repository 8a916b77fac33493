package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// A refresh of many conversations in one group costs one listing (here 3
// pages of 5: the emulator refuses the listing by delivery, and a saved
// refresh keeps that in private state, so the refreshes after it do not ask
// again) instead of a GET each, and with coalescing off it costs a GET each;
// either way a conversation deleted outside Terraform among them is seen by
// the next plan.
func TestAccGroupConversation_coalescedRefresh(t *testing.T) {
	const n = 12
	tests := []struct {
		name                string
		providerArgs        string
		wantLists, wantGets int
	}{
		{"coalescing on", "", 3, 0},
		{"coalescing off", "coalesce_reads = false", 0, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{MaxPageSize: 5})
			config := env.manyConversations(tt.providerArgs, n)
			var deleted string
			countRefresh := func(wantLists, wantGets int) resource.TestCheckFunc {
				return func(*terraform.State) error {
					counters := env.server.Counters()
					env.server.ResetCounters()
					if counters["conversations.list"] != wantLists || counters["conversations.get"] != wantGets {
						return fmt.Errorf("refresh sent %d list and %d get requests, want %d and %d",
							counters["conversations.list"], counters["conversations.get"], wantLists, wantGets)
					}
					return nil
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{
					{Config: config},
					{
						// Whether the reads after the creates learnt that
						// the filter is refused depends on their timing;
						// a saved refresh does, whatever they did.
						RefreshState: true,
						Check: func(*terraform.State) error {
							env.server.ResetCounters()
							return nil
						},
					},
					{
						// A plan with refresh only.
						Config:   config,
						PlanOnly: true,
					},
					{
						Config: config,
						Check: resource.ComposeTestCheckFunc(
							// Three refreshes ran since the reset: the plan
							// after the saved refresh, the plan-only step's
							// and this step's own.
							countRefresh(3*tt.wantLists, 3*tt.wantGets),
							func(s *terraform.State) error {
								deleted = s.RootModule().Resources["msgraph_group_conversation.many.7"].Primary.ID
								if !env.server.DeleteConversation(env.group.ID, deleted) {
									return fmt.Errorf("conversation %s not found", deleted)
								}
								return nil
							},
						),
						ExpectNonEmptyPlan: true,
					},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{
								plancheck.ExpectResourceAction("msgraph_group_conversation.many[7]", plancheck.ResourceActionCreate),
								plancheck.ExpectResourceAction("msgraph_group_conversation.many[6]", plancheck.ResourceActionNoop),
							},
						},
						Check: env.checkConversationCount(n),
					},
				},
			})
		})
	}
}
