package provider

import (
	"fmt"
	"regexp"
	"testing"

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

const threadAddress = "msgraph_group_conversation_thread.test"

// threadEnv is an emulator holding one conversation, made outside Terraform,
// that the tests add threads to.
type threadEnv struct {
	*testEnv
	conversation emulator.Conversation
}

func newThreadEnv(t *testing.T, topic string) *threadEnv {
	t.Helper()
	env := newTestEnv(t, emulator.Options{})
	conversation, err := env.server.SeedConversation(env.group.ID, topic, emulator.ItemBody{ContentType: "html", Content: "<p>Kickoff</p>"},
		nil, emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &threadEnv{testEnv: env, conversation: conversation}
}

// threadConfig is a thread in the seeded conversation; extra holds further
// arguments.
func (e *threadEnv) threadConfig(topic, contentType, content, extra string) string {
	return e.threadConfigIn(e.conversation.ID, topic, contentType, content, extra)
}

func (e *threadEnv) threadConfigIn(conversationID, topic, contentType, content, extra string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation_thread" "test" {
  group_id        = %q
  conversation_id = %q
  topic           = %q
  body = {
    content_type = %q
    content      = %q
  }
  %s
}
`, e.group.ID, conversationID, topic, contentType, content, extra)
}

// checkThreadsDestroyed asks the emulator whether only the seeded thread is
// left in the seeded conversation.
func (e *threadEnv) checkThreadsDestroyed(*terraform.State) error {
	if n := len(e.server.Threads(e.group.ID, e.conversation.ID)); n != 1 {
		return fmt.Errorf("%d threads remain in conversation %s after destroy, want only the seeded one", n, e.conversation.ID)
	}
	return nil
}

// checkThreadCount asserts how many threads the seeded conversation holds,
// so a duplicate (or a lost create) fails the test.
func (e *threadEnv) checkThreadCount(want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(e.server.Threads(e.group.ID, e.conversation.ID)); got != want {
			return fmt.Errorf("the emulator holds %d threads in conversation %s, want %d", got, e.conversation.ID, want)
		}
		return nil
	}
}

// checkThreadLocked asserts the lock of the managed thread as the emulator
// holds it.
func (e *threadEnv) checkThreadLocked(want bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[threadAddress].Primary.ID
		thread, ok := e.server.Thread(e.group.ID, id)
		if !ok {
			return fmt.Errorf("thread %s is not in the emulator", id)
		}
		if thread.IsLocked != want {
			return fmt.Errorf("the emulator's thread %s has isLocked = %v, want %v", id, thread.IsLocked, want)
		}
		return nil
	}
}

func threadImportID(s *terraform.State) (string, error) {
	r := s.RootModule().Resources[threadAddress]
	return r.Primary.Attributes["group_id"] + "/" + r.Primary.Attributes["conversation_id"] + "/" + r.Primary.ID, nil
}

func TestAccGroupConversationThread_basic(t *testing.T) {
	env := newThreadEnv(t, "Quarterly planning")
	recipients := `
  to_recipients = [{ address = "lee@contoso.com", name = "Lee Gu" }, { address = "megan@contoso.com" }]
  cc_recipients = [{ address = "adele@contoso.com" }]`
	config := env.threadConfig("Quarterly planning", "html", "<p>Budget <b>follow-up</b>.</p>", recipients)
	recipient := func(address, name string) knownvalue.Check {
		var nameCheck knownvalue.Check = knownvalue.Null()
		if name != "" {
			nameCheck = knownvalue.StringExact(name)
		}
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"address": knownvalue.StringExact(address), "name": nameCheck})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("id"), knownvalue.StringRegexp(threadIDPattern)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("group_id"), knownvalue.StringExact(env.group.ID)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("conversation_id"), knownvalue.StringExact(env.conversation.ID)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Quarterly planning")),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("body"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("html"),
						"content":      knownvalue.StringExact("<p>Budget <b>follow-up</b>.</p>"),
					})),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("to_recipients"), knownvalue.ListExact([]knownvalue.Check{
						recipient("lee@contoso.com", "Lee Gu"), recipient("megan@contoso.com", ""),
					})),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("cc_recipients"), knownvalue.ListExact([]knownvalue.Check{
						recipient("adele@contoso.com", ""),
					})),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("is_locked"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("has_attachments"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("last_delivered_date_time"), knownvalue.StringRegexp(rfc3339UTCPattern)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Budget follow-up.")),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(testUserName),
					})),
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkThreadCount(2),
					env.checkThreadLocked(false),
					func(s *terraform.State) error {
						// What Graph holds must be what the configuration said.
						id := s.RootModule().Resources[threadAddress].Primary.ID
						thread, _ := env.server.Thread(env.group.ID, id)
						if len(thread.ToRecipients) != 2 || thread.ToRecipients[0] != (emulator.Recipient{Name: "Lee Gu", Address: "lee@contoso.com"}) ||
							len(thread.CcRecipients) != 1 || thread.CcRecipients[0].Address != "adele@contoso.com" {
							return fmt.Errorf("recipients on Graph: to %+v, cc %+v", thread.ToRecipients, thread.CcRecipients)
						}
						posts := env.server.Posts(env.group.ID, id)
						if len(posts) != 1 || posts[0].Body.ContentType != "html" {
							return fmt.Errorf("posts on Graph: %+v", posts)
						}
						return nil
					},
				),
			},
			{
				// A refresh and plan against unchanged Graph data changes nothing.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// Locking and unlocking update the thread in place: no replacement, the id
// stays, and Graph's thread follows.
func TestAccGroupConversationThread_lock(t *testing.T) {
	env := newThreadEnv(t, "Lockable")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	step := func(extra string, action plancheck.ResourceActionType, locked bool) resource.TestStep {
		return resource.TestStep{
			Config: env.threadConfig("Lockable", "text", "Discuss here.", extra),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, action)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				sameID.AddStateValue(threadAddress, tfjsonpath.New("id")),
				statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("is_locked"), knownvalue.Bool(locked)),
				statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Discuss here.")),
			},
			Check: resource.ComposeTestCheckFunc(env.checkThreadCount(2), env.checkThreadLocked(locked)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			step("", plancheck.ResourceActionCreate, false),
			step("is_locked = true", plancheck.ResourceActionUpdate, true),
			step("is_locked = false", plancheck.ResourceActionUpdate, false),
			step("is_locked = true", plancheck.ResourceActionUpdate, true),
			// Leaving the argument out means unlocked again.
			step("", plancheck.ResourceActionUpdate, false),
			func() resource.TestStep {
				// A new timeouts block is an update too, but sends no PATCH.
				s := step("timeouts {\n    update = \"2m\"\n  }", plancheck.ResourceActionUpdate, false)
				s.Check = resource.ComposeTestCheckFunc(s.Check, func(*terraform.State) error {
					if n := env.server.Counters()["threads.update"]; n != 4 {
						return fmt.Errorf("want the 4 PATCHes of the lock changes, got %d", n)
					}
					return nil
				})
				return s
			}(),
		},
	})
}

// A thread configured locked is locked right after it is created, and a lock
// changed outside Terraform shows as an in-place update.
func TestAccGroupConversationThread_createLocked(t *testing.T) {
	env := newThreadEnv(t, "Closed from the start")
	config := env.threadConfig("Closed from the start", "text", "Read only.", "is_locked = true")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("is_locked"), knownvalue.Bool(true)),
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkThreadCount(2),
					env.checkThreadLocked(true),
					func(s *terraform.State) error {
						if n := env.server.Counters()["threads.create"]; n != 1 {
							return fmt.Errorf("want exactly 1 create request, got %d", n)
						}
						// Someone unlocks the thread outside Terraform.
						if !env.server.SetThreadLocked(env.group.ID, s.RootModule().Resources[threadAddress].Primary.ID, false) {
							return fmt.Errorf("thread not in the emulator")
						}
						return nil
					},
				),
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, plancheck.ResourceActionUpdate)},
				},
				Check: env.checkThreadLocked(true),
			},
		},
	})
}

func TestAccGroupConversationThread_replace(t *testing.T) {
	env := newThreadEnv(t, "First conversation")
	other, err := env.server.SeedConversation(env.group.ID, "Second conversation", emulator.ItemBody{Content: "x"}, nil,
		emulator.Principal{DisplayName: "Adele Vance"})
	if err != nil {
		t.Fatal(err)
	}
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	replaced := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, plancheck.ResourceActionDestroyBeforeCreate)},
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if n := len(env.server.Threads(env.group.ID, other.ID)); n != 1 {
				return fmt.Errorf("%d threads remain in the second conversation", n)
			}
			return env.checkThreadsDestroyed(s)
		},
		Steps: []resource.TestStep{
			{
				Config:            env.threadConfig("First conversation", "html", "<p>Same body</p>", ""),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(threadAddress, tfjsonpath.New("id"))},
			},
			{
				Config:            env.threadConfig("First conversation", "html", "<p>Another body</p>", ""),
				ConfigPlanChecks:  replaced,
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(threadAddress, tfjsonpath.New("id"))},
				Check:             env.checkThreadCount(2),
			},
			{
				Config:            env.threadConfig("First conversation", "html", "<p>Another body</p>", `to_recipients = [{ address = "lee@contoso.com" }]`),
				ConfigPlanChecks:  replaced,
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(threadAddress, tfjsonpath.New("id"))},
				Check:             env.checkThreadCount(2),
			},
			{
				// A new topic means another conversation: the thread moves.
				Config:           env.threadConfigIn(other.ID, "Second conversation", "html", "<p>Another body</p>", `to_recipients = [{ address = "lee@contoso.com" }]`),
				ConfigPlanChecks: replaced,
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(threadAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Second conversation")),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("conversation_id"), knownvalue.StringExact(other.ID)),
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkThreadCount(1),
					func(*terraform.State) error {
						if n := len(env.server.Threads(env.group.ID, other.ID)); n != 2 {
							return fmt.Errorf("the second conversation holds %d threads, want 2", n)
						}
						return nil
					},
				),
			},
		},
	})
}

// Graph files every thread under its conversation's topic. A topic that
// differs is refused before anything is created, and a topic change that
// keeps the conversation is refused at plan time, before the thread would
// be deleted.
func TestAccGroupConversationThread_topicMustMatchConversation(t *testing.T) {
	env := newThreadEnv(t, "The real topic")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: env.threadConfig("Another topic", "text", "x", ""),
				ExpectError: expectError("Thread Topic Must Match Its Conversation",
					`conversation `+env.conversation.ID+` has the topic "The real topic", not "Another topic"`, "No thread was created."),
			},
			{
				Config: env.threadConfig("The real topic", "text", "x", ""),
				Check:  env.checkThreadCount(2),
			},
			{
				Config:      env.threadConfig("Renamed", "text", "x", ""),
				ExpectError: expectError("Thread Topic Must Match Its Conversation", `Keep topic = "The real topic"`),
			},
			{
				Config:           env.threadConfig("The real topic", "text", "x", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            env.checkThreadCount(2),
			},
		},
	})
}

func TestAccGroupConversationThread_import(t *testing.T) {
	env := newThreadEnv(t, "Import me")
	config := env.threadConfig("Import me", "html", "<p>Imported <i>as written</i>.</p>\n",
		`to_recipients = [{ address = "lee@contoso.com", name = "Lee Gu" }]
  cc_recipients = [{ address = "adele@contoso.com" }]
  is_locked     = true`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// import {} blocks arrived in Terraform 1.5.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:           env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{Config: config},
			{
				// terraform import, then every attribute must match.
				ResourceName:      threadAddress,
				ImportState:       true,
				ImportStateIdFunc: threadImportID,
				ImportStateVerify: true,
			},
			{
				// An import {} block, then the plan must be a no-op import.
				ResourceName:      threadAddress,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: threadImportID,
			},
		},
	})
}

// A thread started outside Terraform (Graph re-wrapped its HTML) is adopted
// with an import block, and a configuration written as its author wrote it
// plans no changes.
func TestAccGroupConversationThread_importExisting(t *testing.T) {
	env := newThreadEnv(t, "Made in Outlook")
	existing, err := env.server.SeedThread(env.group.ID, env.conversation.ID,
		emulator.ItemBody{ContentType: "html", Content: "<p>Hello <b>team</b></p>"},
		[]emulator.Recipient{{Address: "lee@contoso.com"}}, nil, emulator.Principal{DisplayName: "Lee Gu", Address: "lee@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	config := env.threadConfig("Made in Outlook", "html", "<p>Hello <b>team</b></p>", `to_recipients = [{ address = "lee@contoso.com" }]`) +
		fmt.Sprintf(`
import {
  to = msgraph_group_conversation_thread.test
  id = "%s/%s/%s"
}
`, env.group.ID, env.conversation.ID, existing.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, plancheck.ResourceActionNoop)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("Lee Gu"),
					})),
				},
				Check: env.checkThreadCount(2),
			},
		},
	})
}

func TestAccGroupConversationThread_disappears(t *testing.T) {
	env := newThreadEnv(t, "Here today")
	config := env.threadConfig("Here today", "text", "Gone tomorrow.", "")
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					firstID = s.RootModule().Resources[threadAddress].Primary.ID
					if !env.server.DeleteThread(env.group.ID, firstID) {
						return fmt.Errorf("thread %s was not in the emulator", firstID)
					}
					return nil
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(threadAddress, plancheck.ResourceActionCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					env.checkThreadCount(2),
					func(s *terraform.State) error {
						if id := s.RootModule().Resources[threadAddress].Primary.ID; id == firstID {
							return fmt.Errorf("the re-created thread kept the deleted id %s", id)
						}
						return nil
					},
				),
			},
		},
	})
}

// Graph's answer to a create that cannot work is explained, with Graph's
// error code and request-id, and nothing is left behind.
func TestAccGroupConversationThread_createErrors(t *testing.T) {
	env := newThreadEnv(t, "Existing")
	missingConversation := "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0="
	tests := map[string]struct {
		token, groupID, conversationID string
		want                           *regexp.Regexp
	}{
		"application token": {testAppToken, env.group.ID, env.conversation.ID, expectError("Create Group Conversation Thread Failed",
			"needs a delegated (user) token", "Graph error code: ErrorAccessDenied", requestIDLine)},
		"missing conversation": {testUserToken, env.group.ID, missingConversation, expectError("Create Group Conversation Thread Failed",
			"The conversation "+missingConversation+" does not exist in group "+env.group.ID, "Graph error code: ErrorItemNotFound", requestIDLine)},
		"security group": {testUserToken, env.securityGroup.ID, env.conversation.ID, expectError("Create Group Conversation Thread Failed",
			"is not a Microsoft 365 group", "Graph error code: MailboxNotEnabledForRESTAPI", requestIDLine)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.providerConfig(tt.token) + fmt.Sprintf(`
resource "msgraph_group_conversation_thread" "test" {
  group_id        = %q
  conversation_id = %q
  topic           = "Existing"
  body            = { content = "never posted" }
}
`, tt.groupID, tt.conversationID),
					ExpectError: tt.want,
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := len(env.server.Threads(env.group.ID, env.conversation.ID)); n != 1 {
			t.Errorf("failed creates left %d threads, want only the seeded one", n)
		}
	})
}

// Bad input fails at plan time, before any request reaches Graph.
func TestAccGroupConversationThread_invalidConfig(t *testing.T) {
	env := newThreadEnv(t, "t")
	// Cleanups run after the parallel subtests have finished.
	t.Cleanup(func() {
		if n := env.server.Counters()["requests.total"]; n != 0 {
			t.Errorf("invalid configurations sent %d requests to Graph", n)
		}
	})
	tests := map[string]struct {
		groupID, conversationID, topic, body, extra string
		want                                        *regexp.Regexp
	}{
		"group id not a GUID": {"marketing", env.conversation.ID, "t", `{ content = "x" }`, "",
			regexp.MustCompile(`(?s)group_id.*must be a group object id, a GUID`)},
		"conversation id with a slash": {env.group.ID, "AAQk=/AAQk==", "t", `{ content = "x" }`, "",
			expectError("conversation_id", `must be a conversation id as Graph returns it, without "/" or white space`)},
		"empty conversation id": {env.group.ID, "", "t", `{ content = "x" }`, "",
			expectError("conversation_id", "must be a conversation id")},
		"blank topic": {env.group.ID, env.conversation.ID, "  ", `{ content = "x" }`, "",
			regexp.MustCompile(`(?s)topic.*must not be empty`)},
		"unknown content type": {env.group.ID, env.conversation.ID, "t", `{ content = "x", content_type = "markdown" }`, "",
			regexp.MustCompile(`(?s)content_type.*value must be one of`)},
		"empty content": {env.group.ID, env.conversation.ID, "t", `{ content = "" }`, "",
			regexp.MustCompile(`(?s)content.*length must be at least 1`)},
		"bad recipient address": {env.group.ID, env.conversation.ID, "t", `{ content = "x" }`, `cc_recipients = [{ address = "adele" }]`,
			regexp.MustCompile(`(?s)address.*must be an email address`)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation_thread" "test" {
  group_id        = %q
  conversation_id = %q
  topic           = %q
  body            = %s
  %s
}
`, tt.groupID, tt.conversationID, tt.topic, tt.body, tt.extra),
					PlanOnly:    true,
					ExpectError: tt.want,
				}},
			})
		})
	}
}

func TestAccGroupConversationThread_invalidImportID(t *testing.T) {
	env := newThreadEnv(t, "t")
	tests := map[string]struct {
		id   string
		want *regexp.Regexp
	}{
		"conversation id only": {env.group.ID + "/" + env.conversation.ID,
			expectError("must have the form {group_id}/{conversation_id}/{thread_id}")},
		"group not a GUID": {"marketing/AAQkAGI2=/AAQkAGI2==", expectError(`"marketing" is not a group object id`)},
		"empty thread":     {env.group.ID + "/" + env.conversation.ID + "/", expectError(`"" is not a thread id`)},
		"unknown thread": {env.group.ID + "/" + env.conversation.ID + "/" + env.conversation.ID,
			regexp.MustCompile(`(?s)Cannot import non-existent remote object|not found|ErrorItemNotFound`)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:        env.threadConfig("t", "html", "x", ""),
					ResourceName:  threadAddress,
					ImportState:   true,
					ImportStateId: tt.id,
					ExpectError:   tt.want,
				}},
			})
		})
	}
}
