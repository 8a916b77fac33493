package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// StaticToken is the credential the tests sign in with.
type StaticToken = testfakes.StaticToken

// recordingCredential hands out a fixed token and remembers the scopes it
// was asked for.
type recordingCredential struct {
	token string
	err   error
	mu    sync.Mutex
	asked [][]string
}

func (c *recordingCredential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, slices.Clone(opts.Scopes))
	return azcore.AccessToken{Token: c.token}, c.err
}

// With a custom endpoint (an emulator or a proxy), the token is still asked
// for the audience the caller names, not for the endpoint's host.
func TestCustomEndpointKeepsTheGivenAudience(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	cred := &recordingCredential{token: testToken}
	c, err := NewClient(Options{Endpoint: env.endpoint, Credential: cred, Scopes: []string{"https://graph.microsoft.us/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetGroup(testContext(t), env.group.ID); err != nil {
		t.Fatal(err)
	}
	cred.mu.Lock()
	defer cred.mu.Unlock()
	if len(cred.asked) == 0 {
		t.Fatal("the credential was never asked")
	}
	for _, scopes := range cred.asked {
		if !slices.Equal(scopes, []string{"https://graph.microsoft.us/.default"}) {
			t.Fatalf("asked for %v", scopes)
		}
	}
}

// The token goes to exactly the endpoint's origin: with a proxy endpoint,
// not even the real Graph host of the environment gets it, nor the login
// authority, nor another port of the proxy's own host (another program may
// listen there), nor the same host over plain http. kiota compares host
// names only, and this test once expected the token on port 443 of a proxy
// configured on port 8443.
func TestTokenGoesOnlyToTheCustomEndpointHost(t *testing.T) {
	t.Parallel()
	endpoint, _ := url.Parse("https://graph-proxy.contoso.example:8443/v1.0")
	p, err := newTokenProvider(StaticToken("secret"), []string{"https://graph.microsoft.com/.default"}, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]string{
		"https://graph-proxy.contoso.example:8443/v1.0/groups":   "secret",
		"https://GRAPH-PROXY.contoso.example:8443/v1.0/groups":   "secret",
		"HTTPS://graph-proxy.contoso.example:8443/other/path":    "secret",
		"https://graph-proxy.contoso.example/v1.0/groups":        "",
		"https://graph-proxy.contoso.example:443/v1.0/groups":    "",
		"https://graph-proxy.contoso.example:8444/v1.0/groups":   "",
		"http://graph-proxy.contoso.example:8443/v1.0/groups":    "",
		"https://graph.microsoft.com/v1.0/groups":                "",
		"https://login.microsoftonline.com/common/oauth2/token":  "",
		"https://graph-proxy.contoso.example.evil.example/v1.0/": "",
		"https://contoso.example/v1.0/groups":                    "",
		"/v1.0/groups":                                           "",
		"file:///etc/passwd":                                     "",
	} {
		u, _ := url.Parse(raw)
		got, err := p.GetAuthorizationToken(context.Background(), u, nil)
		if err != nil || got != want {
			t.Errorf("token for %s = %q, %v; want %q", raw, got, err, want)
		}
	}
	if hosts := p.GetAllowedHostsValidator().GetAllowedHosts(); len(hosts) != 1 || !hosts["graph-proxy.contoso.example"] {
		t.Errorf("allowed hosts %v", hosts)
	}
}

// A request the credential cannot sign fails with the credential's own
// error, and never reaches Graph without a token.
func TestCredentialFailureStopsTheRequest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	var sent int
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		sent++
		return http.DefaultTransport.RoundTrip(req)
	})
	cred := &recordingCredential{err: errors.New("signing in with the Azure CLI failed: not logged in")}
	c, err := NewClient(Options{Endpoint: env.endpoint, Credential: cred, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetGroup(testContext(t), env.group.ID)
	if err == nil || !strings.Contains(err.Error(), "signing in with the Azure CLI failed") {
		t.Fatalf("GetGroup error %v", err)
	}
	if sent != 0 {
		t.Fatalf("%d requests went out without a token", sent)
	}
}
