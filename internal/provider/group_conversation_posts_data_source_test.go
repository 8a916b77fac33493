package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

const postsDataAddress = "data.msgraph_group_conversation_posts.test"

func (e *testEnv) postsDataConfig(conversationID, threadID string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversation_posts" "test" {
  group_id        = %q
  conversation_id = %q
  thread_id       = %q
}
`, e.group.ID, conversationID, threadID)
}

// The posts come in Graph's order, over several pages, with their bodies
// exactly as Graph returns them.
func TestAccGroupConversationPostsDataSource_basic(t *testing.T) {
	env := newTestEnv(t, emulator.Options{PageSize: 2})
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	lee := emulator.Principal{DisplayName: "Lee Gu", Address: "lee@contoso.example"}
	conversation, err := env.server.SeedConversation(env.group.ID, "Offsite", emulator.ItemBody{ContentType: "html", Content: "<p>Where?</p>"}, nil, adele)
	if err != nil {
		t.Fatal(err)
	}
	threadID := conversation.ThreadIDs[0]
	authors := []emulator.Principal{lee, adele, lee, adele}
	for i, author := range authors {
		if _, err := env.server.SeedReply(env.group.ID, threadID, emulator.ItemBody{ContentType: "text", Content: fmt.Sprintf("Reply %d", i+1)}, nil, author); err != nil {
			t.Fatal(err)
		}
	}
	// Another thread's posts are not listed.
	if _, err := env.server.SeedThread(env.group.ID, conversation.ID, emulator.ItemBody{Content: "elsewhere"}, nil, nil, lee); err != nil {
		t.Fatal(err)
	}

	person := func(p emulator.Principal) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"address": knownvalue.StringExact(p.Address),
			"name":    knownvalue.StringExact(p.DisplayName),
		})
	}
	stored := env.server.Posts(env.group.ID, threadID)
	var posts []knownvalue.Check
	for i, p := range stored {
		author := adele
		if i > 0 {
			author = authors[i-1]
		}
		body := knownvalue.ObjectExact(map[string]knownvalue.Check{
			"content_type": knownvalue.StringExact("text"),
			"content":      knownvalue.StringExact(fmt.Sprintf("Reply %d", i)),
		})
		if i == 0 {
			// Graph's own wrapping of HTML is kept: this is what Graph returns.
			body = knownvalue.ObjectExact(map[string]knownvalue.Check{
				"content_type": knownvalue.StringExact("html"),
				"content":      knownvalue.StringRegexp(regexp.MustCompile(`(?s)^<html>.*<body><div><p>Where\?</p></div></body></html>$`)),
			})
		}
		posts = append(posts, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                 knownvalue.StringExact(p.ID),
			"from":               person(author),
			"sender":             person(author),
			"received_date_time": knownvalue.StringRegexp(rfc3339UTCPattern),
			"body":               body,
			"has_attachments":    knownvalue.Bool(false),
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.postsDataConfig(conversation.ID, threadID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(postsDataAddress, tfjsonpath.New("posts"), knownvalue.ListExact(posts)),
			},
		}},
	})
}

// The posts of a thread made by the resource, read in the same
// configuration.
func TestAccGroupConversationPostsDataSource_fromResource(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := env.conversationConfig("Posts of mine", "text", "Only post.", "") + `
data "msgraph_group_conversation_posts" "test" {
  group_id        = msgraph_group_conversation.test.group_id
  conversation_id = msgraph_group_conversation.test.id
  thread_id       = msgraph_group_conversation.test.thread_id
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(postsDataAddress, tfjsonpath.New("posts").AtSliceIndex(0).AtMapKey("body"),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("text"),
						"content":      knownvalue.StringExact("Only post."),
					})),
				statecheck.ExpectKnownValue(postsDataAddress, tfjsonpath.New("posts").AtSliceIndex(0).AtMapKey("sender").AtMapKey("name"),
					knownvalue.StringExact(testUserName)),
			},
		}},
	})
}

func TestAccGroupConversationPostsDataSource_notFound(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	conversation, err := env.server.SeedConversation(env.group.ID, "t", emulator.ItemBody{Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A conversation id where the thread id belongs.
			Config: env.postsDataConfig(conversation.ID, conversation.ID),
			ExpectError: expectError("List Group Conversation Posts Failed", "The conversation or the thread does not exist",
				"Graph error code: ErrorItemNotFound", requestIDLine),
		}},
	})
}

// Graph lists at most 100 posts of a thread: the data source says so when
// it listed that many, as the thread's first post may be missing.
func TestPostsDataSourceWarnsOfAFullList(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	ctx := context.Background()
	c, err := graph.NewClient(graph.Options{Endpoint: env.endpoint, Credential: testfakes.StaticToken(testUserToken)})
	if err != nil {
		t.Fatal(err)
	}
	d := &groupConversationPostsDataSource{client: c}
	var schema datasource.SchemaResponse
	d.Schema(ctx, datasource.SchemaRequest{}, &schema)
	objectType := schema.Schema.Type().TerraformType(ctx)
	for _, tt := range []struct {
		replies  int
		wantWarn bool
	}{{98, false}, {99, true}, {150, true}} {
		conversation, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("replies ", tt.replies), emulator.ItemBody{ContentType: "text", Content: "x"},
			nil, emulator.Principal{DisplayName: "Adele Vance"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range tt.replies {
			if _, err := env.server.SeedReply(env.group.ID, conversation.ThreadIDs[0], emulator.ItemBody{ContentType: "text", Content: fmt.Sprint(i)}, nil,
				emulator.Principal{DisplayName: "Lee Gu"}); err != nil {
				t.Fatal(err)
			}
		}
		config := tfsdk.Config{Schema: schema.Schema, Raw: tftypes.NewValue(objectType, map[string]tftypes.Value{
			"group_id":        tftypes.NewValue(tftypes.String, env.group.ID),
			"conversation_id": tftypes.NewValue(tftypes.String, conversation.ID),
			"thread_id":       tftypes.NewValue(tftypes.String, conversation.ThreadIDs[0]),
			"posts":           tftypes.NewValue(objectType.(tftypes.Object).AttributeTypes["posts"], nil),
		})}
		resp := &datasource.ReadResponse{State: tfsdk.State{Schema: schema.Schema, Raw: tftypes.NewValue(objectType, nil)}}
		d.Read(ctx, datasource.ReadRequest{Config: config}, resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%d replies: %v", tt.replies, resp.Diagnostics)
		}
		warned := false
		for _, w := range resp.Diagnostics.Warnings() {
			if w.Summary() == "Thread Holds 100 Posts or More" && strings.Contains(w.Detail(), "its first post may be one of them") {
				warned = true
			}
		}
		if warned != tt.wantWarn {
			t.Errorf("%d posts: warned = %t, want %t (%v)", tt.replies+1, warned, tt.wantWarn, resp.Diagnostics)
		}
	}
}
