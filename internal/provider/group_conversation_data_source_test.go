package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const conversationDataAddress = "data.msgraph_group_conversation.test"

func (e *testEnv) conversationDataConfig(groupID, conversationID string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversation" "test" {
  group_id = %q
  id       = %q
}
`, groupID, conversationID)
}

func TestAccGroupConversationDataSource_basic(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	conversation, err := env.server.SeedConversation(env.group.ID, "Offsite", emulator.ItemBody{ContentType: "html", Content: "<p>Where <b>and</b> when</p>"},
		nil, emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.server.SeedReply(env.group.ID, conversation.ThreadIDs[0], emulator.ItemBody{Content: "Friday works."}, nil,
		emulator.Principal{DisplayName: "Lee Gu", Address: "lee@contoso.example"}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.conversationDataConfig(env.group.ID, conversation.ID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("group_id"), knownvalue.StringExact(env.group.ID)),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("id"), knownvalue.StringExact(conversation.ID)),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Offsite")),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("has_attachments"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("last_delivered_date_time"), knownvalue.StringRegexp(rfc3339UTCPattern)),
				// The preview and the senders follow the reply.
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Friday works.")),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact("Adele Vance"), knownvalue.StringExact("Lee Gu"),
				})),
			},
		}},
	})
}

// A conversation made by the resource can be read back by the data source
// in the same configuration.
func TestAccGroupConversationDataSource_fromResource(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.conversationConfig("Made here", "text", "Read me back.", "") + `
data "msgraph_group_conversation" "test" {
  group_id = msgraph_group_conversation.test.group_id
  id       = msgraph_group_conversation.test.id
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("topic"), knownvalue.StringExact("Made here")),
				statecheck.ExpectKnownValue(conversationDataAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Read me back.")),
			},
		}},
	})
}

func TestAccGroupConversationDataSource_notFound(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	missing := "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0="
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.conversationDataConfig(env.group.ID, missing),
				ExpectError: expectError("Read Group Conversation Failed", "The group has no conversation "+missing,
					"Graph error code: ErrorItemNotFound", requestIDLine),
			},
			{
				Config:      env.conversationDataConfig(env.group.ID, "a/b"),
				ExpectError: expectError("must be a conversation id as Graph returns it"),
			},
		},
	})
}
