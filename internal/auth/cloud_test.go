package auth

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

func TestLookupCloud(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                                      string
		wantName, graphEndpoint, scope, authority string
	}{
		{"", "global", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com/"},
		{"global", "global", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com/"},
		{"public", "global", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com/"},
		{" Public ", "global", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default", "https://login.microsoftonline.com/"},
		{"usgovernment", "usgovernment", "https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		{"usgovernmentl4", "usgovernment", "https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		{"USGovernmentL4", "usgovernment", "https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		{"dod", "dod", "https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		{"usgovernmentl5", "dod", "https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default", "https://login.microsoftonline.us/"},
		{"china", "china", "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default", "https://login.chinacloudapi.cn/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, ok := LookupCloud(tt.name)
			if !ok {
				t.Fatalf("LookupCloud(%q) found nothing", tt.name)
			}
			if c.Name != tt.wantName || c.GraphEndpoint() != tt.graphEndpoint || c.Scope() != tt.scope || c.AuthorityHost != tt.authority {
				t.Fatalf("LookupCloud(%q) = %s %s %s %s; want %s %s %s %s", tt.name,
					c.Name, c.GraphEndpoint(), c.Scope(), c.AuthorityHost, tt.wantName, tt.graphEndpoint, tt.scope, tt.authority)
			}
			if got := c.configuration("").ActiveDirectoryAuthorityHost; got != tt.authority {
				t.Fatalf("azcore authority host %q, want %q", got, tt.authority)
			}
		})
	}
	for _, name := range []string{"germany", "azurecloud", "usgov", "global2"} {
		if _, ok := LookupCloud(name); ok {
			t.Errorf("LookupCloud(%q) found a cloud", name)
		}
	}
}

// The table agrees with azcore's own cloud definitions, which azidentity's
// users elsewhere rely on.
func TestCloudAuthoritiesMatchAzcore(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]cloud.Configuration{
		"global": cloud.AzurePublic, "usgovernment": cloud.AzureGovernment, "dod": cloud.AzureGovernment, "china": cloud.AzureChina,
	} {
		c, _ := LookupCloud(name)
		if c.AuthorityHost != want.ActiveDirectoryAuthorityHost {
			t.Errorf("%s: authority %q, azcore says %q", name, c.AuthorityHost, want.ActiveDirectoryAuthorityHost)
		}
	}
}

func TestAuthorityHostOverride(t *testing.T) {
	t.Parallel()
	c, _ := LookupCloud("china")
	if got := c.configuration("https://127.0.0.1:4443").ActiveDirectoryAuthorityHost; got != "https://127.0.0.1:4443/" {
		t.Fatalf("override gave %q", got)
	}
}
