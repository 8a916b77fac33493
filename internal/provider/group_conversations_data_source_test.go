package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const conversationsDataAddress = "data.msgraph_group_conversations.test"

func (e *testEnv) conversationsDataConfig(groupID, topic string) string {
	topicArgument := ""
	if topic != "" {
		topicArgument = fmt.Sprintf("topic = %q", topic)
	}
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversations" "test" {
  group_id = %q
  %s
}
`, groupID, topicArgument)
}

// Every conversation is listed, across several of Graph's pages, in Graph's
// order; the topic filter keeps exact matches only.
func TestAccGroupConversationsDataSource_paging(t *testing.T) {
	const pageSize, total = 4, 27
	env := newTestEnv(t, emulator.Options{PageSize: pageSize})
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	var all []knownvalue.Check
	var weekly []knownvalue.Check
	for i := range total {
		topic := fmt.Sprintf("Topic %02d", i)
		if i%10 == 3 {
			topic = "Weekly sync"
		}
		seeded, err := env.server.SeedConversation(env.group.ID, topic, emulator.ItemBody{Content: fmt.Sprintf("Post %02d", i)}, nil, adele)
		if err != nil {
			t.Fatal(err)
		}
		element := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                       knownvalue.StringExact(seeded.ID),
			"topic":                    knownvalue.StringExact(topic),
			"has_attachments":          knownvalue.Bool(false),
			"last_delivered_date_time": knownvalue.StringRegexp(rfc3339UTCPattern),
			"preview":                  knownvalue.StringExact(fmt.Sprintf("Post %02d", i)),
			"unique_senders":           knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Adele Vance")}),
			// Filled in only with include_threads.
			"thread_id":          knownvalue.Null(),
			"body":               knownvalue.Null(),
			"new_participants":   knownvalue.Null(),
			"additional_threads": knownvalue.Null(),
		})
		all = append(all, element)
		if topic == "Weekly sync" {
			weekly = append(weekly, element)
		}
	}
	// A conversation whose topic only differs in case is not a match.
	if _, err := env.server.SeedConversation(env.group.ID, "weekly sync", emulator.ItemBody{Content: "lower case"}, nil, adele); err != nil {
		t.Fatal(err)
	}
	all = append(all, knownvalue.NotNull())

	listRequests := func(want int) func(*terraform.State) error {
		return func(*terraform.State) error {
			if got := env.server.Counters()["conversations.list"]; got < want {
				return fmt.Errorf("the emulator served %d list requests, want at least %d (one per page)", got, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.conversationsDataConfig(env.group.ID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations"), knownvalue.ListExact(all)),
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("topic"), knownvalue.Null()),
				},
				Check: listRequests((total + 1 + pageSize - 1) / pageSize),
			},
			{
				Config: env.conversationsDataConfig(env.group.ID, "Weekly sync"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations"), knownvalue.ListExact(weekly)),
				},
			},
			{
				Config: env.conversationsDataConfig(env.group.ID, "No such topic"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

func TestAccGroupConversationsDataSource_errors(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// The last step is a valid one: the destroy after the test reads the
		// data source of the last configuration again.
		Steps: []resource.TestStep{
			{
				Config: env.conversationsDataConfig(env.securityGroup.ID, ""),
				ExpectError: expectError("List Group Conversations Failed", "is not a Microsoft 365 group",
					"Graph error code: MailboxNotEnabledForRESTAPI", requestIDLine),
			},
			{
				Config:      env.conversationsDataConfig("marketing", ""),
				ExpectError: expectError("group_id", "must be a group object id, a GUID"),
			},
			{
				// An empty group lists nothing, which is not an error.
				Config: env.conversationsDataConfig(env.group.ID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations"), knownvalue.ListExact([]knownvalue.Check{})),
				},
			},
		},
	})
}

// include_threads fills in each conversation's first post and its other
// threads the way an import reads them: HTML unwrapped, content types
// spelled out, empty recipient lists null, and replies neither changing the
// first post nor counting as threads.
func TestAccGroupConversationsDataSource_includeThreads(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	lee := emulator.Recipient{Name: "Lee Gu", Address: "lee@contoso.example"}
	const announcement = "<h1>News</h1>\n<p>Hello &amp; welcome</p>\n"
	withThreads, err := env.server.SeedConversation(env.group.ID, "Announcement",
		emulator.ItemBody{ContentType: "html", Content: announcement},
		[]emulator.Recipient{lee, {Address: "guest@fabrikam.example"}}, adele)
	if err != nil {
		t.Fatal(err)
	}
	firstThread := env.server.Threads(env.group.ID, withThreads.ID)[0]
	if _, err := env.server.SeedReply(env.group.ID, firstThread.ID, emulator.ItemBody{Content: "Thanks!"},
		[]emulator.Recipient{{Address: "late@contoso.example"}}, adele); err != nil {
		t.Fatal(err)
	}
	followUp, err := env.server.SeedThread(env.group.ID, withThreads.ID, emulator.ItemBody{ContentType: "html", Content: "<p>Follow-up</p>"},
		[]emulator.Recipient{lee}, []emulator.Recipient{{Address: "cc@contoso.example"}}, adele)
	if err != nil {
		t.Fatal(err)
	}
	env.server.SetThreadLocked(env.group.ID, followUp.ID, true)
	plain, err := env.server.SeedConversation(env.group.ID, "Plain", emulator.ItemBody{ContentType: "text", Content: "Line one\nLine two"}, nil, adele)
	if err != nil {
		t.Fatal(err)
	}

	recipient := func(address string, name knownvalue.Check) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"address": knownvalue.StringExact(address), "name": name})
	}
	body := func(contentType, content string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"content_type": knownvalue.StringExact(contentType), "content": knownvalue.StringExact(content),
		})
	}
	conversation := func(id, topic string, extra map[string]knownvalue.Check) knownvalue.Check {
		checks := map[string]knownvalue.Check{
			"id":                       knownvalue.StringExact(id),
			"topic":                    knownvalue.StringExact(topic),
			"has_attachments":          knownvalue.Bool(false),
			"last_delivered_date_time": knownvalue.StringRegexp(rfc3339UTCPattern),
			"preview":                  knownvalue.NotNull(),
			"unique_senders":           knownvalue.NotNull(),
		}
		for k, v := range extra {
			checks[k] = v
		}
		return knownvalue.ObjectExact(checks)
	}
	want := knownvalue.SetExact([]knownvalue.Check{
		conversation(withThreads.ID, "Announcement", map[string]knownvalue.Check{
			"thread_id": knownvalue.StringExact(firstThread.ID),
			"body":      body("html", announcement),
			"new_participants": knownvalue.ListExact([]knownvalue.Check{
				recipient("lee@contoso.example", knownvalue.StringExact("Lee Gu")),
				recipient("guest@fabrikam.example", knownvalue.Null()),
			}),
			"additional_threads": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
				"id":            knownvalue.StringExact(followUp.ID),
				"topic":         knownvalue.StringExact("Announcement"),
				"is_locked":     knownvalue.Bool(true),
				"body":          body("html", "<p>Follow-up</p>"),
				"to_recipients": knownvalue.ListExact([]knownvalue.Check{recipient("lee@contoso.example", knownvalue.StringExact("Lee Gu"))}),
				"cc_recipients": knownvalue.ListExact([]knownvalue.Check{recipient("cc@contoso.example", knownvalue.Null())}),
			})}),
		}),
		conversation(plain.ID, "Plain", map[string]knownvalue.Check{
			"thread_id":          knownvalue.StringExact(env.server.Threads(env.group.ID, plain.ID)[0].ID),
			"body":               body("text", "Line one\nLine two"),
			"new_participants":   knownvalue.Null(),
			"additional_threads": knownvalue.ListExact([]knownvalue.Check{}),
		}),
	})

	config := func(include string) string {
		return env.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversations" "test" {
  group_id        = %q
  include_threads = %s
}
`, env.group.ID, include)
	}
	threadReads := func(wantAtLeast, wantAtMost int) func(*terraform.State) error {
		return func(*terraform.State) error {
			if got := env.server.Counters()["threads.list"]; got < wantAtLeast || got > wantAtMost {
				return fmt.Errorf("the emulator served %d thread listings, want between %d and %d", got, wantAtLeast, wantAtMost)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Not asked for, the threads cost nothing.
				Config: config("false"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations").AtSliceIndex(0).AtMapKey("body"), knownvalue.Null()),
				},
				Check: threadReads(0, 0),
			},
			{
				Config: config("true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationsDataAddress, tfjsonpath.New("conversations"), want),
				},
				Check: threadReads(2, 1000),
			},
		},
	})
}
