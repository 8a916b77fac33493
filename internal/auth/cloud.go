package auth

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

// Cloud is one Microsoft national cloud: where Graph lives, which audience
// its tokens are for, and which Microsoft Entra authority issues them. The
// three always change together; a token from one cloud is refused by the
// Graph of another.
type Cloud struct {
	// Name is the canonical environment name, such as "global".
	Name string
	// GraphHost is the host of the cloud's Microsoft Graph service.
	GraphHost string
	// AuthorityHost is the Microsoft Entra login endpoint, with a trailing
	// slash as azcore's cloud.Configuration has it.
	AuthorityHost string
}

// GraphEndpoint is the cloud's Graph v1.0 service root, the default endpoint.
func (c Cloud) GraphEndpoint() string {
	return "https://" + c.GraphHost + "/v1.0"
}

// Audience is the resource Graph tokens of this cloud are issued for.
func (c Cloud) Audience() string {
	return "https://" + c.GraphHost
}

// Scope is the OAuth 2.0 scope requested for Graph: the audience's static
// ".default" permissions, which is what Graph expects from every sign-in
// method (and what the Azure CLI and managed identity turn back into a
// resource).
func (c Cloud) Scope() string {
	return c.Audience() + "/.default"
}

// configuration is the azcore form of the cloud; authorityHost overrides the
// login endpoint (tests point it at a fake identity server).
func (c Cloud) configuration(authorityHost string) cloud.Configuration {
	host := c.AuthorityHost
	if authorityHost != "" {
		host = strings.TrimRight(authorityHost, "/") + "/"
	}
	return cloud.Configuration{ActiveDirectoryAuthorityHost: host, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
}

// DefaultEnvironment is used when environment is not set.
const DefaultEnvironment = "global"

// environments maps every accepted name, aliases included, to its cloud.
// The aliases are the names the azuread and azurerm providers accept, so an
// existing ARM_ENVIRONMENT keeps working.
var environments = func() map[string]Cloud {
	global := Cloud{Name: "global", GraphHost: "graph.microsoft.com", AuthorityHost: "https://login.microsoftonline.com/"}
	usGov := Cloud{Name: "usgovernment", GraphHost: "graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us/"}
	// DoD (US Government L5) has its own Graph but shares the US Government
	// authority.
	dod := Cloud{Name: "dod", GraphHost: "dod-graph.microsoft.us", AuthorityHost: "https://login.microsoftonline.us/"}
	china := Cloud{Name: "china", GraphHost: "microsoftgraph.chinacloudapi.cn", AuthorityHost: "https://login.chinacloudapi.cn/"}
	return map[string]Cloud{
		"global":         global,
		"public":         global,
		"usgovernment":   usGov,
		"usgovernmentl4": usGov,
		"dod":            dod,
		"usgovernmentl5": dod,
		"china":          china,
	}
}()

// EnvironmentNames lists the accepted environment names for messages and
// documentation, each canonical name followed by its alias.
const EnvironmentNames = "`global` (alias `public`), `usgovernment` (alias `usgovernmentl4`), `dod` (alias `usgovernmentl5`) and `china`"

// LookupCloud finds the cloud of an environment name, ignoring case and
// surrounding white space. An empty name is the global cloud.
func LookupCloud(name string) (Cloud, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		name = DefaultEnvironment
	}
	c, ok := environments[name]
	return c, ok
}
