package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// manyConversations is a configuration of n conversations in the test group.
func (e *testEnv) manyConversations(providerArgs string, n int) string {
	return fmt.Sprintf(`
provider "msgraph" {
  endpoint     = %q
  access_token = %q
  %s
}

resource "msgraph_group_conversation" "many" {
  count    = %d
  group_id = %q
  topic    = "Announcement ${count.index}"
  body     = { content = "<p>Number ${count.index}</p>" }
}
`, e.endpoint, testUserToken, providerArgs, n, e.group.ID)
}

// With the default per-group limit, terraform apply -parallelism=10 (the
// testing harness's default too) on one group draws no 429 from a mailbox
// that allows 4 requests in flight; with the limit off, it does.
func TestAccProvider_maxConcurrentRequestsPerGroup(t *testing.T) {
	tests := []struct {
		name          string
		providerArgs  string
		wantThrottled bool
	}{
		{"default limit", "", false},
		{"limit off", "max_concurrent_requests_per_group = 0", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{MailboxConcurrency: 4, Latency: 100 * time.Millisecond})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{{
					Config: env.manyConversations(tt.providerArgs, 12),
					Check: resource.ComposeTestCheckFunc(
						env.checkConversationCount(12),
						func(*terraform.State) error {
							throttled := env.server.Counters()["status.429"]
							if tt.wantThrottled != (throttled > 0) {
								return fmt.Errorf("%d requests were throttled; want throttling: %v", throttled, tt.wantThrottled)
							}
							return nil
						},
					),
				}},
			})
		})
	}
}

// A conversation created moments ago that a lagging replica hides again is
// waited for on refresh, not dropped from the state (which would make the
// next apply create a duplicate).
func TestAccGroupConversation_refreshRightAfterCreate(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.conversationConfig("Flapping", "text", "Now you see me.", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			// The harness plans (with a refresh) right after this check and
			// fails the step if that plan is not empty.
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources[conversationAddress].Primary.ID
				if !env.server.HideConversation(env.group.ID, id, 2*time.Second) {
					return fmt.Errorf("conversation %s not found", id)
				}
				return nil
			},
		}, {
			Config: config,
			Check:  env.checkConversationCount(1),
		}},
	})
}
