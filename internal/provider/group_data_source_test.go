package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const groupDataAddress = "data.msgraph_group.test"

func (e *testEnv) groupDataConfig(arguments string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
data "msgraph_group" "test" {
  %s
}
`, arguments)
}

func TestAccGroupDataSource_lookups(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	// The security group has no mail and no group types.
	security := map[string]knownvalue.Check{
		"id":               knownvalue.StringExact(env.securityGroup.ID),
		"display_name":     knownvalue.StringExact("VPN Users"),
		"mail_nickname":    knownvalue.StringExact("vpnusers"),
		"mail":             knownvalue.Null(),
		"group_types":      knownvalue.ListExact([]knownvalue.Check{}),
		"is_microsoft_365": knownvalue.Bool(false),
	}
	microsoft365 := map[string]knownvalue.Check{
		"id":               knownvalue.StringExact(env.group.ID),
		"display_name":     knownvalue.StringExact("Marketing"),
		"mail_nickname":    knownvalue.StringExact("marketing"),
		"mail":             knownvalue.StringExact("marketing@contoso.example"),
		"group_types":      knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("Unified")}),
		"is_microsoft_365": knownvalue.Bool(true),
	}
	checks := func(want map[string]knownvalue.Check) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for attribute, check := range want {
			out = append(out, statecheck.ExpectKnownValue(groupDataAddress, tfjsonpath.New(attribute), check))
		}
		return out
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: env.groupDataConfig(fmt.Sprintf("id = %q", env.group.ID)), ConfigStateChecks: checks(microsoft365)},
			{Config: env.groupDataConfig(`display_name = "Marketing"`), ConfigStateChecks: checks(microsoft365)},
			{Config: env.groupDataConfig(`mail_nickname = "vpnusers"`), ConfigStateChecks: checks(security)},
			{
				// Directory matching ignores case; the configured spelling stays.
				Config: env.groupDataConfig(`display_name = "vpn USERS"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupDataAddress, tfjsonpath.New("id"), knownvalue.StringExact(env.securityGroup.ID)),
					statecheck.ExpectKnownValue(groupDataAddress, tfjsonpath.New("display_name"), knownvalue.StringExact("vpn USERS")),
				},
			},
		},
	})
}

// A display name with a quote and URL metacharacters reaches Graph intact.
func TestAccGroupDataSource_quotedName(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	odd := env.server.AddGroup(emulator.Group{DisplayName: "O'Brien & Sons #1 + 50%", MailNickname: "obrien", GroupTypes: []string{"Unified"}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.groupDataConfig(`display_name = "O'Brien & Sons #1 + 50%"`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(groupDataAddress, tfjsonpath.New("id"), knownvalue.StringExact(odd.ID)),
			},
		}},
	})
}

func TestAccGroupDataSource_notFound(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	missing := "5a1e0f3c-0000-4000-8000-000000000001"
	tests := map[string]struct {
		arguments string
		want      *regexp.Regexp
	}{
		"display name": {`display_name = "Nobody"`,
			expectError("No Group Found", `No group has display_name "Nobody": Microsoft Graph found 0 matching groups.`)},
		"mail nickname": {`mail_nickname = "nobody"`,
			expectError("No Group Found", `No group has mail_nickname "nobody": Microsoft Graph found 0 matching groups.`)},
		"id": {fmt.Sprintf("id = %q", missing),
			expectError("Read Group Failed", "Could not read group "+missing, "No group has this id",
				"Graph error code: Request_ResourceNotFound", requestIDLine)},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: env.groupDataConfig(tt.arguments), ExpectError: tt.want}},
			})
		})
	}
}

// Display names are not unique: several matches are an error naming every
// match, and the group can still be told apart by id.
func TestAccGroupDataSource_severalMatches(t *testing.T) {
	env := newTestEnv(t, emulator.Options{PageSize: 1})
	first := env.server.AddGroup(emulator.Group{DisplayName: "Project X", MailNickname: "projectx-1", GroupTypes: []string{"Unified"}})
	second := env.server.AddGroup(emulator.Group{DisplayName: "project x", MailNickname: "projectx-2"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: env.groupDataConfig(`display_name = "Project X"`),
				ExpectError: expectError("Several Groups Found",
					fmt.Sprintf(`2 groups have display_name "Project X": %s, %s. Look the group up by id instead.`, first.ID, second.ID)),
			},
			{
				Config: env.groupDataConfig(fmt.Sprintf("id = %q", second.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupDataAddress, tfjsonpath.New("mail_nickname"), knownvalue.StringExact("projectx-2")),
				},
			},
		},
	})
}

// Exactly one lookup attribute must be set, and set sensibly; this is
// checked before any request reaches Graph.
func TestAccGroupDataSource_invalidConfig(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	t.Cleanup(func() {
		if n := env.server.Counters()["requests.total"]; n != 0 {
			t.Errorf("invalid configurations sent %d requests to Graph", n)
		}
	})
	tests := map[string]struct {
		arguments string
		want      *regexp.Regexp
	}{
		"none": {"", expectError("Missing Attribute Configuration",
			"Exactly one of these attributes must be configured: [id,display_name,mail_nickname]")},
		"two": {`display_name = "Marketing"` + "\n" + `mail_nickname = "marketing"`, expectError("Invalid Attribute Combination",
			"Exactly one of these attributes must be configured: [id,display_name,mail_nickname]")},
		"id not a GUID": {`id = "marketing"`, expectError("must be a group object id, a GUID")},
		"blank name":    {`display_name = " "`, expectError("display_name", "must not be empty or only white space")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: env.groupDataConfig(tt.arguments), PlanOnly: true, ExpectError: tt.want}},
			})
		})
	}
}
