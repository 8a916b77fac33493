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
