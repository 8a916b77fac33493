package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const conversationAddress = "msgraph_group_conversation.test"

// Exchange-style ids: URL-safe base64 with "=" padding.
var (
	conversationIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+=$`)
	threadIDPattern       = regexp.MustCompile(`^[A-Za-z0-9_-]+==$`)
	rfc3339UTCPattern     = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	requestIDLine         = "request-id: "
)

// expectError matches a diagnostic holding each part in order. The CLI wraps
// long lines, so any white space in a part matches any run of white space.
func expectError(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, part := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(part)), `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

func (e *testEnv) conversationConfig(topic, contentType, content, participants string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = %q
  body = {
    content_type = %q
    content      = %q
  }
  %s
}
`, e.group.ID, topic, contentType, content, participants)
}

// checkDestroyed asks the emulator, not the provider, whether anything is left.
func (e *testEnv) checkDestroyed(s *terraform.State) error {
	if n := len(e.server.Conversations(e.group.ID)); n != 0 {
		return fmt.Errorf("%d conversations remain in group %s after destroy", n, e.group.ID)
	}
	return nil
}

// checkConversationCount asserts how many conversations the emulator holds, so
// a duplicate (or a lost create) fails the test.
func (e *testEnv) checkConversationCount(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(e.server.Conversations(e.group.ID)); got != want {
			return fmt.Errorf("the emulator holds %d conversations in group %s, want %d", got, e.group.ID, want)
		}
		return nil
	}
}

func TestAccGroupConversation_basic(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.conversationConfig("Quarterly planning kickoff", "html", "<p>Agenda <b>inside</b>.</p>",
					`new_participants = [{ address = "adele@contoso.com", name = "Adele Vance" }]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("id"), knownvalue.StringRegexp(conversationIDPattern)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("group_id"), knownvalue.StringExact(env.group.ID)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Quarterly planning kickoff")),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("body"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("html"),
						"content":      knownvalue.StringExact("<p>Agenda <b>inside</b>.</p>"),
					})),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("new_participants"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"address": knownvalue.StringExact("adele@contoso.com"),
							"name":    knownvalue.StringExact("Adele Vance"),
						}),
					})),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("thread_id"), knownvalue.StringRegexp(threadIDPattern)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("has_attachments"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("last_delivered_date_time"), knownvalue.StringRegexp(rfc3339UTCPattern)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Agenda inside.")),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(testUserName),
					})),
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkConversationCount(1),
					func(s *terraform.State) error {
						// What Graph holds must be what the configuration said.
						id := s.RootModule().Resources[conversationAddress].Primary.ID
						threads := env.server.Threads(env.group.ID, id)
						if len(threads) != 1 {
							return fmt.Errorf("want 1 thread, got %d", len(threads))
						}
						posts := env.server.Posts(env.group.ID, threads[0].ID)
						if len(posts) != 1 {
							return fmt.Errorf("want 1 post, got %d", len(posts))
						}
						p := posts[0]
						if len(p.NewParticipants) != 1 || p.NewParticipants[0].Address != "adele@contoso.com" || p.NewParticipants[0].Name != "Adele Vance" {
							return fmt.Errorf("new participants on Graph: %+v", p.NewParticipants)
						}
						if p.Body.ContentType != "html" {
							return fmt.Errorf("body content type on Graph: %q", p.Body.ContentType)
						}
						return nil
					},
				),
			},
			{
				// A refresh and plan against unchanged Graph data changes nothing.
				Config: env.conversationConfig("Quarterly planning kickoff", "html", "<p>Agenda <b>inside</b>.</p>",
					`new_participants = [{ address = "adele@contoso.com", name = "Adele Vance" }]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccGroupConversation_import(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.conversationConfig("Import me", "html", "<p>Imported <i>as written</i>.</p>\n",
		`new_participants = [{ address = "adele@contoso.com", name = "Adele Vance" }, { address = "lee@contoso.com" }]`)
	importID := func(s *terraform.State) (string, error) {
		r := s.RootModule().Resources[conversationAddress]
		return r.Primary.Attributes["group_id"] + "/" + r.Primary.ID, nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// import {} blocks arrived in Terraform 1.5.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:           env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// terraform import, then every attribute must match.
				ResourceName:      conversationAddress,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
			},
			{
				// An import {} block, then the plan must be a no-op import.
				ResourceName:      conversationAddress,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID,
			},
		},
	})
}

// A conversation created outside Terraform (Graph re-wrapped its HTML) is
// adopted with an import block, and a configuration written as the author
// wrote it plans no changes.
func TestAccGroupConversation_importExisting(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	existing, err := env.server.SeedConversation(env.group.ID, "Made in Outlook",
		emulator.ItemBody{ContentType: "html", Content: "<p>Hello <b>team</b></p>"}, nil,
		emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	config := env.conversationConfig("Made in Outlook", "html", "<p>Hello <b>team</b></p>", "") + fmt.Sprintf(`
import {
  to = msgraph_group_conversation.test
  id = "%s/%s"
}
`, env.group.ID, existing.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("Adele Vance"),
					})),
				},
				Check: env.checkConversationCount(1),
			},
		},
	})
}

func TestAccGroupConversation_disappears(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.conversationConfig("Here today", "text", "Gone tomorrow.", "")
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[conversationAddress].Primary.ID
					if !env.server.DeleteConversation(env.group.ID, firstID) {
						return fmt.Errorf("conversation %s was not in the emulator", firstID)
					}
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkConversationCount(1),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[conversationAddress].Primary.ID; id == firstID {
							return fmt.Errorf("the re-created conversation kept the deleted id %s", id)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccGroupConversation_replace(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	sameID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config:            env.conversationConfig("First topic", "html", "<p>Same body</p>", ""),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(conversationAddress, tfjsonpath.New("id"))},
			},
			{
				Config: env.conversationConfig("Second topic", "html", "<p>Same body</p>", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(conversationAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Second topic")),
				},
				Check: env.checkConversationCount(1),
			},
			{
				Config: env.conversationConfig("Second topic", "text", "<p>Same body</p>", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionDestroyBeforeCreate),
					},
				},
				Check: env.checkConversationCount(1),
			},
		},
	})
}

// Graph stores HTML wrapped in a document of its own; neither a refresh nor
// an import may turn that into a diff.
func TestAccGroupConversation_html(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	content := "<h1>Kickoff</h1>\n<ul>\n  <li>Budget</li>\n  <li>Hiring &amp; onboarding</li>\n</ul>\n"
	config := env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "HTML body"
  body = {
    content = <<-EOT
      <h1>Kickoff</h1>
      <ul>
        <li>Budget</li>
        <li>Hiring &amp; onboarding</li>
      </ul>
    EOT
  }
}
`, env.group.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("body"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("html"),
						"content":      knownvalue.StringExact(content),
					})),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Kickoff Budget Hiring & onboarding")),
				},
				Check: func(s *terraform.State) error {
					// The emulator must really have re-wrapped the body, or
					// this test proves nothing.
					id := s.RootModule().Resources[conversationAddress].Primary.ID
					threads := env.server.Threads(env.group.ID, id)
					if len(threads) == 0 {
						return fmt.Errorf("no thread")
					}
					stored := env.server.Posts(env.group.ID, threads[0].ID)[0].Body.Content
					if !regexp.MustCompile(`(?s)^<html>.*<body><div>`).MatchString(stored) {
						return fmt.Errorf("the emulator did not re-wrap the body: %q", stored)
					}
					return nil
				},
			},
			{
				// A refresh-only step: refreshing must not change the body.
				RefreshState: true,
			},
			{
				ResourceName: conversationAddress,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return env.group.ID + "/" + s.RootModule().Resources[conversationAddress].Primary.ID, nil
				},
				ImportStateVerify: true,
			},
		},
	})
}

// A conversation that Graph keeps invisible for a while after create (as
// Exchange does) is waited for, not reported as failed or dropped.
func TestAccGroupConversation_eventualConsistency(t *testing.T) {
	env := newTestEnv(t, emulator.Options{InvisibleFor: 2 * time.Second})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.conversationConfig("Slow to appear", "text", "Patience.", ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Patience.")),
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkConversationCount(1),
					func(*terraform.State) error {
						counters := env.server.Counters()
						if counters["conversations.create"] != 1 {
							return fmt.Errorf("want exactly 1 create request, got %d", counters["conversations.create"])
						}
						if counters["status.404"] == 0 {
							return fmt.Errorf("the emulator never answered 404, so the wait was not exercised")
						}
						return nil
					},
				),
			},
		},
	})
}

// Graph's answer to a create that cannot work is explained, with Graph's
// error code and request-id.
func TestAccGroupConversation_createErrors(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	missingGroup := "5a1e0f3c-0000-4000-8000-000000000001"
	tests := map[string]struct {
		token, groupID string
		want           *regexp.Regexp
	}{
		"security group": {testUserToken, env.securityGroup.ID, expectError("Create Group Conversation Failed",
			"is not a Microsoft 365 group", "Graph error code: MailboxNotEnabledForRESTAPI", requestIDLine)},
		"missing group": {testUserToken, missingGroup, expectError("Create Group Conversation Failed",
			"The group "+missingGroup+" does not exist", "Graph error code: Request_ResourceNotFound", requestIDLine)},
		"application token": {testAppToken, env.group.ID, expectError("Create Group Conversation Failed",
			"needs a delegated (user) token", "Graph error code: ErrorAccessDenied", requestIDLine)},
		"unknown token": {"not-a-token-the-emulator-knows", env.group.ID, expectError("Create Group Conversation Failed",
			"missing, expired, or issued for another audience", "Graph error code: InvalidAuthenticationToken", requestIDLine)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.providerConfig(tt.token) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Doomed"
  body     = { content = "never posted" }
}
`, tt.groupID),
					ExpectError: tt.want,
				}},
			})
		})
	}
}
