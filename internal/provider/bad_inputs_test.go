package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// Every bad input a user can give, each with the exact error they see.
// Configurations fail when Terraform validates them, before any request
// reaches Graph; import ids fail before a read or with Graph's own answer.
//
// The unit tests below assert every message over the plugin protocol, in
// process: the framework's validation, the schema's validators and the
// attribute paths are the ones the CLI receives. TestAccBadInputs keeps one
// CLI case per kind of mistake, for what only the CLI shows: that the error
// reaches the user at plan time, before any request to Graph, and the
// wording the CLI itself writes (a missing or unsupported argument, a nested
// object without a required attribute, an import of nothing).

const conversationType = "msgraph_group_conversation"

// TestConversationConfigValidation asserts the message of each bad
// msgraph_group_conversation configuration, as ValidateResourceConfig
// returns it to the CLI.
func TestConversationConfigValidation(t *testing.T) {
	t.Parallel()
	const g = "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10"
	typ := newProtocolProvider(t).resourceType(conversationType)
	bodyType := typ.AttributeTypes["body"].(tftypes.Object)
	participantsType := typ.AttributeTypes["new_participants"].(tftypes.List)
	participantType := participantsType.ElementType.(tftypes.Object)
	timeoutsType := typ.AttributeTypes["timeouts"].(tftypes.Object)

	null := func(name string) tftypes.Value { return tftypes.NewValue(typ.AttributeTypes[name], nil) }
	body := func(set map[string]tftypes.Value) tftypes.Value { return objectValue(bodyType, set) }
	participants := func(addresses ...string) tftypes.Value {
		elements := make([]tftypes.Value, len(addresses))
		for i, address := range addresses {
			elements[i] = objectValue(participantType, map[string]tftypes.Value{"address": stringValue(address)})
		}
		return tftypes.NewValue(participantsType, elements)
	}
	// config is a valid configuration with set's attributes changed.
	config := func(set map[string]tftypes.Value) tftypes.Value {
		attrs := map[string]tftypes.Value{
			"group_id": stringValue(g),
			"topic":    stringValue("t"),
			"body":     body(map[string]tftypes.Value{"content": stringValue("x")}),
		}
		for name, v := range set {
			attrs[name] = v
		}
		return objectValue(typ, attrs)
	}
	const (
		valueMatch = "Invalid Attribute Value Match"
		required   = "Missing Configuration for Required Attribute"
		guid       = "Attribute group_id must be a group object id, a GUID such as 00000000-0000-0000-0000-000000000000, got: "
		email      = " must be an email address such as adele@contoso.com, got: "
		blankTopic = "Attribute topic must not be empty or only white space, got:"
	)
	tests := []struct {
		name    string
		set     map[string]tftypes.Value
		path    string
		summary string
		details []string
	}{
		{"group id is a name", map[string]tftypes.Value{"group_id": stringValue("marketing")}, "group_id", valueMatch, []string{guid + "marketing"}},
		{"group id is empty", map[string]tftypes.Value{"group_id": stringValue("")}, "group_id", valueMatch, []string{guid}},
		{"group id has braces", map[string]tftypes.Value{"group_id": stringValue("{" + g + "}")}, "group_id", valueMatch,
			[]string{"Attribute group_id must be a group object id, a GUID"}},
		// The CLI refuses a missing argument first, in its own words
		// (TestAccBadInputs); the framework refuses it too.
		{"group id missing", map[string]tftypes.Value{"group_id": null("group_id")}, "group_id", required,
			[]string{"Must set a configuration value for the group_id attribute as the provider has marked it as required."}},
		{"empty topic", map[string]tftypes.Value{"topic": stringValue("")}, "topic", valueMatch, []string{blankTopic}},
		{"blank topic", map[string]tftypes.Value{"topic": stringValue("  \t ")}, "topic", valueMatch, []string{blankTopic}},
		{"topic missing", map[string]tftypes.Value{"topic": null("topic")}, "topic", required,
			[]string{"Must set a configuration value for the topic attribute as the provider has marked it as required."}},
		{"topic too long", map[string]tftypes.Value{"topic": stringValue(strings.Repeat("x", 254))}, "topic", "Topic Too Long",
			[]string{"The topic is 254 characters long", "Exchange takes at most 253"}},
		{"body missing", map[string]tftypes.Value{"body": null("body")}, "body", required,
			[]string{"Must set a configuration value for the body attribute as the provider has marked it as required."}},
		{"unknown content type", map[string]tftypes.Value{"body": body(map[string]tftypes.Value{"content": stringValue("x"), "content_type": stringValue("markdown")})},
			"body.content_type", valueMatch, []string{`Attribute body.content_type value must be one of: ["html" "text"], got: "markdown"`}},
		{"content type in capitals", map[string]tftypes.Value{"body": body(map[string]tftypes.Value{"content": stringValue("x"), "content_type": stringValue("HTML")})},
			"body.content_type", valueMatch, []string{`Attribute body.content_type value must be one of: ["html" "text"], got: "HTML"`}},
		{"empty content", map[string]tftypes.Value{"body": body(map[string]tftypes.Value{"content": stringValue("")})},
			"body.content", "Invalid Attribute Value Length", []string{"Attribute body.content string length must be at least 1, got: 0"}},
		{"content missing", map[string]tftypes.Value{"body": body(map[string]tftypes.Value{"content_type": stringValue("text")})}, "body.content", required,
			[]string{"Must set a configuration value for the body.content attribute as the provider has marked it as required."}},
		{"participant without domain", map[string]tftypes.Value{"new_participants": participants("adele")},
			"new_participants[0].address", valueMatch, []string{"Attribute new_participants[0].address" + email + "adele"}},
		{"participant without dot in domain", map[string]tftypes.Value{"new_participants": participants("adele@contoso")},
			"new_participants[0].address", valueMatch, []string{"Attribute new_participants[0].address" + email + "adele@contoso"}},
		{"participant with a space", map[string]tftypes.Value{"new_participants": participants("adele vance@contoso.com")},
			"new_participants[0].address", valueMatch, []string{"Attribute new_participants[0].address" + email + "adele vance@contoso.com"}},
		{"second participant bad", map[string]tftypes.Value{"new_participants": participants("adele@contoso.com", "@contoso.com")},
			"new_participants[1].address", valueMatch, []string{"Attribute new_participants[1].address" + email + "@contoso.com"}},
		{"participant without address", map[string]tftypes.Value{"new_participants": tftypes.NewValue(participantsType, []tftypes.Value{
			objectValue(participantType, map[string]tftypes.Value{"name": stringValue("Adele")}),
		})}, "new_participants[0].address", required,
			[]string{"Must set a configuration value for the new_participants[0].address attribute as the provider has marked it as required."}},
		{"computed id set", map[string]tftypes.Value{"id": stringValue("AAQkAGI2=")}, "id", "Invalid Configuration for Read-Only Attribute",
			[]string{"Cannot set value for this attribute as the provider has marked it as read-only."}},
		{"timeout not a duration", map[string]tftypes.Value{"timeouts": objectValue(timeoutsType, map[string]tftypes.Value{"create": stringValue("10 minutes")})},
			"timeouts.create", "Invalid Attribute Value Time Duration",
			[]string{`"10 minutes" must be a string containing a sequence of decimal numbers, each with optional fraction and a unit suffix`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			diags := newProtocolProvider(t).validateResource(conversationType, config(tt.set))
			wantOneError(t, diags, tt.path, tt.summary, tt.details...)
		})
	}
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		if errs := errorDiagnostics(newProtocolProvider(t).validateResource(conversationType, config(nil))); len(errs) != 0 {
			t.Fatalf("the valid configuration is refused:%s", formatDiagnostics(errs))
		}
	})
}

// TestProviderEndpointValidation asserts the message of each bad endpoint,
// as ConfigureProvider returns it to the CLI.
func TestProviderEndpointValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		endpoint string
		detail   string
	}{
		{"http://graph.example.com/v1.0",
			`The endpoint "http://graph.example.com/v1.0" uses plain http, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https.`},
		{"graph.microsoft.com",
			`The endpoint "graph.microsoft.com" must be an absolute http(s) URL such as https://graph.microsoft.com/v1.0.`},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			t.Parallel()
			p := newProtocolProvider(t)
			diags := p.configure(objectValue(p.providerType(), map[string]tftypes.Value{
				"endpoint": stringValue(tt.endpoint), "access_token": stringValue("x"),
			}))
			wantOneError(t, diags, "endpoint", "Invalid Graph Endpoint", tt.detail)
		})
	}
}

// TestConversationImportIDDiagnostics asserts what each bad import id of a
// msgraph_group_conversation tells the user, as ImportResourceState and the
// ReadResource after it return it to the CLI. An id the provider refuses
// sends nothing to Graph.
func TestConversationImportIDDiagnostics(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	ig := env.group.ID
	const invalid = "Invalid Import ID"
	tests := []struct {
		name    string
		id      string
		summary string // empty: the read removes the object
		details []string
	}{
		{"no separator", "AAQkAGI2=", invalid, []string{`the import ID "AAQkAGI2=" must have the form {group_id}/{conversation_id}`}},
		{"empty", " ", invalid, []string{`the import ID " " must have the form {group_id}/{conversation_id}`}},
		{"group is a name", "marketing/AAQkAGI2=", invalid,
			[]string{`the import ID "marketing/AAQkAGI2=" must have the form {group_id}/{conversation_id}: "marketing" is not a group object id (a GUID)`}},
		{"conversation missing", ig + "/", invalid,
			[]string{`the import ID "` + ig + `/" must have the form {group_id}/{conversation_id}: "" is not a conversation id`}},
		{"thread id appended", ig + "/AAQkAGI2=/AAQkAGI3==", invalid,
			[]string{`the import ID "` + ig + `/AAQkAGI2=/AAQkAGI3==" must have the form {group_id}/{conversation_id}: "AAQkAGI2=/AAQkAGI3==" is not a conversation id`}},
		{"white space in id", ig + "/AAQk AGI2=", invalid, []string{`"AAQk AGI2=" is not a conversation id`}},
		{"malformed conversation id", ig + "/not*an*id", "Read Group Conversation Failed",
			[]string{"Could not read conversation not*an*id of group " + ig, "HTTP status: 400", "Graph error code: ErrorInvalidIdMalformed",
				"Graph error message: Id is malformed.", requestIDLine}},
		// The CLI reports an import whose read removes the object as
		// "Cannot import non-existent remote object" (TestAccBadInputs).
		{"unknown conversation", ig + "/AAQkAGI2ZmVkLWQ0Mzk=", "", nil},
		{"unknown group", "5a1e0f3c-0000-4000-8000-000000000001/AAQkAGI2ZmVkLWQ0Mzk=", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: each case counts the requests it sent.
			p := newProtocolProvider(t)
			if errs := errorDiagnostics(p.configure(objectValue(p.providerType(), map[string]tftypes.Value{
				"endpoint": stringValue(env.endpoint), "access_token": stringValue(testUserToken),
			}))); len(errs) != 0 {
				t.Fatalf("configuring the provider:%s", formatDiagnostics(errs))
			}
			before := env.server.Counters()["requests.total"]
			diags, gone := p.importResource(conversationType, tt.id)
			sent := env.server.Counters()["requests.total"] - before
			if tt.summary == "" {
				if errs := errorDiagnostics(diags); len(errs) != 0 || !gone {
					t.Fatalf("import of %q: removed = %t, errors:%s; want the object removed without an error", tt.id, gone, formatDiagnostics(errs))
				}
				return
			}
			wantOneError(t, diags, "", tt.summary, tt.details...)
			if tt.summary == invalid && sent != 0 {
				t.Errorf("the refused import id sent %d requests to Graph", sent)
			}
		})
	}
}

// TestAccBadInputs keeps, for each kind of bad input, one case the real CLI
// runs: the error reaches the user at plan or import time, before any
// request to Graph where the provider can tell without asking. The unit
// tests above assert every message.
func TestAccBadInputs(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	g := env.group.ID
	resourceBlock := func(args string) string {
		return env.providerConfig(testUserToken) + "resource \"msgraph_group_conversation\" \"test\" {\n" + args + "\n}\n"
	}
	valid := func(override string) string {
		return fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"x\" }\n", g) + override
	}
	configs := []struct {
		name   string
		config string
		want   []string
	}{
		// A validator of each family: a pattern, a set of values, a length,
		// a pattern on an attribute in a list of objects, a duration.
		{"group id is a name", resourceBlock(`group_id = "marketing"` + "\n" + `topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Invalid Attribute Value Match", `Attribute group_id must be a group object id, a GUID such as 00000000-0000-0000-0000-000000000000, got: marketing`}},
		{"unknown content type", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"x\", content_type = \"markdown\" }", g)),
			[]string{"Invalid Attribute Value Match", `Attribute body.content_type value must be one of: ["html" "text"], got: "markdown"`}},
		{"empty content", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content = \"\" }", g)),
			[]string{"Invalid Attribute Value Length", "Attribute body.content string length must be at least 1, got: 0"}},
		{"second participant bad", resourceBlock(valid(`new_participants = [{ address = "adele@contoso.com" }, { address = "@contoso.com" }]`)),
			[]string{"Invalid Attribute Value Match", "Attribute new_participants[1].address must be an email address such as adele@contoso.com, got: @contoso.com"}},
		{"timeout not a duration", resourceBlock(valid("timeouts {\n  create = \"10 minutes\"\n}")),
			[]string{"Invalid Attribute Value Time Duration", `"10 minutes" must be a string containing a sequence of decimal numbers, each with optional fraction and a unit suffix`}},
		// The CLI's own refusals of what the schema does not allow.
		{"group id missing", resourceBlock(`topic = "t"` + "\n" + `body = { content = "x" }`),
			[]string{"Missing required argument", `The argument "group_id" is required, but no definition was found.`}},
		{"content missing", resourceBlock(fmt.Sprintf("group_id = %q\ntopic = \"t\"\nbody = { content_type = \"text\" }", g)),
			[]string{"Incorrect attribute value type", `attribute "content" is required`}},
		{"unknown argument", resourceBlock(valid(`subject = "t"`)),
			[]string{"Unsupported argument", `An argument named "subject" is not expected here.`}},
		// A provider configuration mistake.
		{"endpoint over plain http", `
provider "msgraph" {
  endpoint     = "http://graph.example.com/v1.0"
  access_token = "x"
}
` + "resource \"msgraph_group_conversation\" \"test\" {\n" + valid("") + "\n}\n",
			[]string{"Invalid Graph Endpoint", `The endpoint "http://graph.example.com/v1.0" uses plain http, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https.`}},
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

	// An import id the provider refuses, which never reaches Graph; one
	// Graph refuses; one of nothing, which the CLI reports in its words.
	refusedEnv := newTestEnv(t, emulator.Options{})
	importEnv := newTestEnv(t, emulator.Options{})
	ig := importEnv.group.ID
	imports := []struct {
		name string
		env  *testEnv
		id   string
		want []string
	}{
		{"group is a name", refusedEnv, "marketing/AAQkAGI2=", []string{"Invalid Import ID",
			`the import ID "marketing/AAQkAGI2=" must have the form {group_id}/{conversation_id}: "marketing" is not a group object id (a GUID)`}},
		{"malformed conversation id", importEnv, ig + "/not*an*id", []string{"Read Group Conversation Failed",
			"Could not read conversation not*an*id of group " + ig, "HTTP status: 400", "Graph error code: ErrorInvalidIdMalformed", "Graph error message: Id is malformed.", requestIDLine}},
		{"unknown conversation", importEnv, ig + "/AAQkAGI2ZmVkLWQ0Mzk=", []string{"Cannot import non-existent remote object"}},
	}
	t.Cleanup(func() {
		if n := refusedEnv.server.Counters()["requests.total"]; n != 0 {
			t.Errorf("a refused import id sent %d requests to Graph", n)
		}
	})
	for _, tt := range imports {
		t.Run("import/"+tt.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:        tt.env.conversationConfig("t", "html", "x", ""),
					ResourceName:  conversationAddress,
					ImportState:   true,
					ImportStateId: tt.id,
					ExpectError:   expectError(tt.want...),
				}},
			})
		})
	}
}
