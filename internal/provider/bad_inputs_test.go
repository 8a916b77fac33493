package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// TestAccBadInputs holds every bad input a user can give, each with the exact
// error they see. Configurations fail at plan time, before any request
// reaches Graph; import ids fail before a read or with Graph's own answer.
func TestAccBadInputs(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	g := env.group.ID
	resourceBlock := func(args string) string {
		return env.providerConfig(testUserToken) + "resource \"msgraph_group_conversation\" \"test\" {\n" + args + "\n}\n"
	}
	valid := func(override string) string {
		base := map[string]string{
			"group_id": fmt.Sprintf("group_id = %q", g),
			"topic":    `topic = "t"`,
			"body":     `body = { content = "x" }`,
		}
		return base["group_id"] + "\n" + base["topic"] + "\n" + base["body"] + "\n" + override
	}
	configs := []struct {
		name   string
		config string
		want   []string
	}{
		{"group id is a name", resourceBlock(`group_id = "marketing"` + "\n" + `topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Invalid Attribute Value Match", `Attribute group_id must be a group object id, a GUID such as 00000000-0000-0000-0000-000000000000, got: marketing`}},
		{"group id is empty", resourceBlock(`group_id = ""` + "\n" + `topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Invalid Attribute Value Match", `Attribute group_id must be a group object id, a GUID such as 00000000-0000-0000-0000-000000000000, got:`}},
		{"group id has braces", resourceBlock(`group_id = "{` + g + `}"` + "\n" + `topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Invalid Attribute Value Match", "Attribute group_id must be a group object id, a GUID"}},
		{"group id missing", resourceBlock(`topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Missing required argument", `The argument "group_id" is required, but no definition was found.`}},
		{"empty topic", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"\"\nbody = { content = \"x\" }", g)),
			[]string{"Invalid Attribute Value Match", "Attribute topic must not be empty or only white space, got:"}},
		{"blank topic", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"  \\t \"\nbody = { content = \"x\" }", g)),
			[]string{"Invalid Attribute Value Match", "Attribute topic must not be empty or only white space, got:"}},
		{"topic missing", resourceBlock(fmt.Sprintf("group_id = %q\nbody = { content = \"x\" }", g)),
			[]string{"Missing required argument", `The argument "topic" is required, but no definition was found.`}},
		{"body missing", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"", g)),
			[]string{"Missing required argument", `The argument "body" is required, but no definition was found.`}},
		{"unknown content type", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"x\", content_type = \"markdown\" }", g)),
			[]string{"Invalid Attribute Value Match", `Attribute body.content_type value must be one of: ["html" "text"], got: "markdown"`}},
		{"content type in capitals", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"x\", content_type = \"HTML\" }", g)),
			[]string{"Invalid Attribute Value Match", `Attribute body.content_type value must be one of: ["html" "text"], got: "HTML"`}},
		{"empty content", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"\" }", g)),
			[]string{"Invalid Attribute Value Length", "Attribute body.content string length must be at least 1, got: 0"}},
		{"content missing", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content_type = \"text\" }", g)),
			[]string{"Incorrect attribute value type", `attribute "content" is required`}},
		{"participant without domain", resourceBlock(valid(`new_participants = [{ address = "adele" }]`)),
			[]string{"Invalid Attribute Value Match", "Attribute new_participants[0].address must be an email address such as adele@contoso.com, got: adele"}},
		{"participant without dot in domain", resourceBlock(valid(`new_participants = [{ address = "adele@contoso" }]`)),
			[]string{"Invalid Attribute Value Match", "Attribute new_participants[0].address must be an email address such as adele@contoso.com, got: adele@contoso"}},
		{"participant with a space", resourceBlock(valid(`new_participants = [{ address = "adele vance@contoso.com" }]`)),
			[]string{"Invalid Attribute Value Match", "Attribute new_participants[0].address must be an email address such as adele@contoso.com, got: adele vance@contoso.com"}},
		{"second participant bad", resourceBlock(valid(`new_participants = [{ address = "adele@contoso.com" }, { address = "@contoso.com" }]`)),
			[]string{"Invalid Attribute Value Match", "Attribute new_participants[1].address must be an email address such as adele@contoso.com, got: @contoso.com"}},
		{"participant without address", resourceBlock(valid(`new_participants = [{ name = "Adele" }]`)),
			[]string{"Incorrect attribute value type", `attribute "address" is required`}},
		{"unknown argument", resourceBlock(valid(`subject = "t"`)),
			[]string{"Unsupported argument", `An argument named "subject" is not expected here.`}},
		{"computed id set", resourceBlock(valid(`id = "AAQkAGI2="`)),
			[]string{"Invalid Configuration for Read-Only Attribute", "Cannot set value for this attribute as the provider has marked it as read-only."}},
		{"timeout not a duration", resourceBlock(valid("timeouts {\n  create = \"10 minutes\"\n}")),
			[]string{"Invalid Attribute Value Time Duration", `"10 minutes" must be a string containing a sequence of decimal numbers, each with optional fraction and a unit suffix`}},
		{"endpoint over plain http", `
provider "msgraph" {
  endpoint     = "http://graph.example.com/v1.0"
  access_token = "x"
}
` + "resource \"msgraph_group_conversation\" \"test\" {\n" + valid("") + "\n}\n",
			[]string{"Invalid Graph Endpoint", `The endpoint "http://graph.example.com/v1.0" uses plain http, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https.`}},
		{"endpoint not a URL", `
provider "msgraph" {
  endpoint     = "graph.microsoft.com"
  access_token = "x"
}
` + "resource \"msgraph_group_conversation\" \"test\" {\n" + valid("") + "\n}\n",
			[]string{"Invalid Graph Endpoint", `The endpoint "graph.microsoft.com" must be an absolute http(s) URL such as https://graph.microsoft.com/v1.0.`}},
	}
	t.Cleanup(func() {
		// Cleanups run after the parallel subtests: none of the bad
		// configurations may have reached Graph.
		if n := env.server.Counters()["requests.total"]; n != 0 {
			t.Errorf("bad configurations sent %d requests to Graph", n)
		}
	})
	for _, tt := range configs {
		t.Run("config/"+tt.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tt.config, PlanOnly: true, ExpectError: expectError(tt.want...)}},
			})
		})
	}

	importEnv := newTestEnv(t, emulator.Options{})
	ig := importEnv.group.ID
	imports := []struct {
		name string
		id   string
		want []string
	}{
		{"no separator", "AAQkAGI2=", []string{"Invalid Import ID", `the import ID "AAQkAGI2=" must have the form {group_id}/{conversation_id}`}},
		{"empty", " ", []string{"Invalid Import ID", `the import ID " " must have the form {group_id}/{conversation_id}`}},
		{"group is a name", "marketing/AAQkAGI2=", []string{"Invalid Import ID",
			`the import ID "marketing/AAQkAGI2=" must have the form {group_id}/{conversation_id}: "marketing" is not a group object id (a GUID)`}},
		{"conversation missing", ig + "/", []string{"Invalid Import ID",
			`the import ID "` + ig + `/" must have the form {group_id}/{conversation_id}: "" is not a conversation id`}},
		{"thread id appended", ig + "/AAQkAGI2=/AAQkAGI3==", []string{"Invalid Import ID",
			`the import ID "` + ig + `/AAQkAGI2=/AAQkAGI3==" must have the form {group_id}/{conversation_id}: "AAQkAGI2=/AAQkAGI3==" is not a conversation id`}},
		{"white space in id", ig + "/AAQk AGI2=", []string{"Invalid Import ID", `"AAQk AGI2=" is not a conversation id`}},
		{"malformed conversation id", ig + "/not*an*id", []string{"Read Group Conversation Failed",
			"Could not read conversation not*an*id of group " + ig, "HTTP status: 400", "Graph error code: ErrorInvalidIdMalformed", "Graph error message: Id is malformed.", requestIDLine}},
		{"unknown conversation", ig + "/AAQkAGI2ZmVkLWQ0Mzk=", []string{"Cannot import non-existent remote object"}},
		{"unknown group", "5a1e0f3c-0000-4000-8000-000000000001/AAQkAGI2ZmVkLWQ0Mzk=", []string{"Cannot import non-existent remote object"}},
	}
	for _, tt := range imports {
		t.Run("import/"+tt.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:        importEnv.conversationConfig("t", "html", "x", ""),
					ResourceName:  conversationAddress,
					ImportState:   true,
					ImportStateId: tt.id,
					ExpectError:   expectError(tt.want...),
				}},
			})
		})
	}
}
