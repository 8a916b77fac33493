package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The tests here hold the provider to what Graph's docs leave open (issue
// 15): each runs against an emulator that answers one of the ways the
// service may, and failed against the provider before it handled that way.

// A topic Exchange reads back in its normalised form ("FYI: office closed"
// as "office closed") is the configured topic: the apply leaves an empty
// plan, a refresh changes nothing, the thread's topic check accepts it, and
// an import plans nothing.
func TestAccGroupConversation_normalisedTopic(t *testing.T) {
	env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{NormaliseTopics: true}})
	config := env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "FYI: office closed"
  body = {
    content = "<p>Closed on Friday.</p>"
  }
}

resource "msgraph_group_conversation_thread" "test" {
  group_id        = %[1]q
  conversation_id = msgraph_group_conversation.test.id
  topic           = msgraph_group_conversation.test.topic
  body = {
    content = "<p>And on Monday.</p>"
  }
}
`, env.group.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("topic"), knownvalue.StringExact("FYI: office closed")),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("topic"), knownvalue.StringExact("FYI: office closed")),
				},
				Check: func(s *terraform.State) error {
					stored, _ := env.server.Conversation(env.group.ID, s.RootModule().Resources[conversationAddress].Primary.ID)
					if stored.Topic != "office closed" {
						return fmt.Errorf("the emulator stored the topic %q, want it normalised", stored.Topic)
					}
					return env.checkConversationCount(1)(s)
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName: conversationAddress, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					r := s.RootModule().Resources[conversationAddress]
					return r.Primary.Attributes["group_id"] + "/" + r.Primary.ID, nil
				},
			},
		},
	})
}

// Topics longer than Exchange takes are refused at plan time, counted as
// Exchange counts them: in UTF-16 code units, an emoji two.
func TestAccGroupConversation_topicLength(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := func(topic string) string { return env.conversationConfig(topic, "text", "x", "") }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(strings.Repeat("x", 254)),
				PlanOnly:    true,
				ExpectError: expectError("Topic Too Long", "The topic is 254 characters long", "Exchange takes at most 253"),
			},
			{
				Config:      config(strings.Repeat("😀", 127)),
				PlanOnly:    true,
				ExpectError: expectError("Topic Too Long", "The topic is 254 characters long"),
			},
			{
				// 253 code units plan.
				Config:             config(strings.Repeat("😀", 126) + "x"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// A conversation created outside Terraform and stored in each of the forms
// Graph's docs show (the sanitiser's nested divs and x_ ids, a message's
// CRLF document, text turned into HTML) imports with a configuration that
// writes the body as it was posted, and plans nothing.
func TestAccGroupConversation_importStoredShapes(t *testing.T) {
	const html = "<table id=\"bodyTable\" class=\"wrapper\"><tr><td><a href=\"https://contoso.example\">Agenda</a>\n" +
		"&amp; notes</td></tr></table>"
	const text = "Agenda\nNotes & questions\n"
	shapes := []struct {
		name        string
		behaviour   emulator.Behaviour
		contentType string
		content     string
	}{
		{"sanitised", emulator.Behaviour{HTMLShape: emulator.HTMLSanitised}, "html", html},
		{"message", emulator.Behaviour{HTMLShape: emulator.HTMLMessage}, "html", html},
		{"text as HTML, sanitised", emulator.Behaviour{HTMLShape: emulator.HTMLSanitised, TextToHTML: true}, "text", text},
		{"text as HTML, message", emulator.Behaviour{HTMLShape: emulator.HTMLMessage, TextToHTML: true}, "text", text},
	}
	for _, shape := range shapes {
		t.Run(shape.name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{Behaviour: shape.behaviour})
			existing, err := env.server.SeedConversation(env.group.ID, "Made in Outlook",
				emulator.ItemBody{ContentType: shape.contentType, Content: shape.content}, nil,
				emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
			if err != nil {
				t.Fatal(err)
			}
			config := env.conversationConfig("Made in Outlook", shape.contentType, shape.content, "") + fmt.Sprintf(`
import {
  to = msgraph_group_conversation.test
  id = "%s/%s"
}
`, env.group.ID, existing.ID)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{{
					Config: config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionNoop)},
					},
					Check: env.checkConversationCount(1),
				}},
			})
		})
	}
}

// A conversation in a Microsoft 365 group whose mailbox is not ready yet (a
// group created in the same apply) waits for the mailbox and is created;
// when the create timeout comes first, the error names the group and says
// what to do.
func TestAccGroupConversation_newGroupMailbox(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	soon := env.server.AddGroup(emulator.Group{DisplayName: "Launch team", MailNickname: "launch", Mail: "launch@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true, MailboxDelay: 3 * time.Second})
	late := env.server.AddGroup(emulator.Group{DisplayName: "Next year's team", MailNickname: "nextyear", Mail: "nextyear@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true, MailboxDelay: time.Hour})
	config := func(groupID, timeouts string) string {
		return env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Welcome"
  body = {
    content = "<p>Hello, team.</p>"
  }
  %s
}
`, groupID, timeouts)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(env.server.Conversations(soon.ID)) + len(env.server.Conversations(late.ID)); n != 0 {
				return fmt.Errorf("%d conversations remain", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config(late.ID, `timeouts {
    create = "3s"
  }`),
				ExpectError: expectError("Create Group Conversation Failed", "Could not create the conversation \"Welcome\" in group "+late.ID,
					"the group's mailbox still did not answer after the provider waited", "Nothing was created",
					`create = "60m"`, "MailboxNotEnabledForRESTAPI"),
			},
			{
				Config: config(soon.ID, ""),
				Check: func(s *terraform.State) error {
					ready, _ := env.server.MailboxReadyAt(soon.ID)
					if n := len(env.server.Conversations(soon.ID)); n != 1 {
						return fmt.Errorf("the new group holds %d conversations, want 1", n)
					}
					if created := env.server.Conversations(soon.ID)[0].CreatedAt; created.Before(ready) {
						return fmt.Errorf("created at %s, before the mailbox was ready at %s", created, ready)
					}
					return nil
				},
			},
		},
	})
}

// A create refused in a group without a mailbox is explained by what the
// group is, whichever status the service answers with.
func TestAccGroupConversation_refusedByAGroupWithoutMailbox(t *testing.T) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{NonUnifiedStatus: status}})
			config := env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Hello"
  body = {
    content = "x"
  }
}
`, env.securityGroup.ID)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: config,
					ExpectError: expectError("Create Group Conversation Failed", "Microsoft Graph refused to create",
						`The group "VPN Users" (`+env.securityGroup.ID+`) is not a Microsoft 365 group`, fmt.Sprintf("HTTP status: %d", status)),
				}},
			})
		})
	}
}

// A thread of more than the 100 posts Graph lists, listed newest first,
// lacks its first post in the list: an import finds it along inReplyTo and
// plans nothing.
func TestAccGroupConversation_importLongThread(t *testing.T) {
	env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{PostsOrder: emulator.NewestFirst}})
	existing, err := env.server.SeedConversation(env.group.ID, "Busy", emulator.ItemBody{ContentType: "html", Content: "<p>Where it began</p>"},
		nil, emulator.Principal{DisplayName: "Adele Vance"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 110 {
		if _, err := env.server.SeedReply(env.group.ID, existing.ThreadIDs[0], emulator.ItemBody{ContentType: "text", Content: fmt.Sprint("Reply ", i)},
			nil, emulator.Principal{DisplayName: "Lee Gu"}); err != nil {
			t.Fatal(err)
		}
	}
	config := env.conversationConfig("Busy", "html", "<p>Where it began</p>", "") + fmt.Sprintf(`
import {
  to = msgraph_group_conversation.test
  id = "%s/%s"
}
`, env.group.ID, existing.ID)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionNoop)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("thread_id"), knownvalue.StringExact(existing.ThreadIDs[0])),
			},
		}},
	})
}

// msgraph_group_conversations is exact when a reply arrives while it pages
// a list ordered newest first by $skip: the reply moves a conversation to
// the front, behind the pages already read, and shifts the rest by one, so
// the listing repeats one conversation and misses the one that moved.
func TestAccGroupConversationsDataSource_replyMidListing(t *testing.T) {
	env := newTestEnv(t, emulator.Options{PageSize: 3, Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}})
	var threads []string
	for i := range 7 {
		c, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("Topic ", i), emulator.ItemBody{ContentType: "text", Content: "x"}, nil,
			emulator.Principal{DisplayName: "Adele Vance"})
		if err != nil {
			t.Fatal(err)
		}
		threads = append(threads, c.ThreadIDs[0])
		// A second apart, so that the list has an order.
		time.Sleep(time.Second)
	}
	// The first request for a second page of the first listing gets a
	// reply to the conversation delivered longest ago.
	var replied atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/conversations") && strings.Contains(r.URL.RawQuery, "skip=") && replied.CompareAndSwap(false, true) {
			if _, err := env.server.SeedReply(env.group.ID, threads[0], emulator.ItemBody{ContentType: "text", Content: "late"}, nil,
				emulator.Principal{DisplayName: "Lee Gu"}); err != nil {
				t.Error(err)
			}
		}
		env.server.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	env.endpoint = front.URL + "/v1.0"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversations" "all" {
  group_id = %q
}
`, env.group.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.msgraph_group_conversations.all", tfjsonpath.New("conversations"), knownvalue.ListSizeExact(7)),
			},
			Check: func(*terraform.State) error {
				if !replied.Load() {
					return fmt.Errorf("no reply arrived mid-listing: the test proves nothing")
				}
				return nil
			},
		}},
	})
}
