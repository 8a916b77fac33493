package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fakeOptions point credentials at the fake identity service.
func fakeOptions(f *testfakes.Identity) Options {
	return Options{Transport: f.Client(), AuthorityHost: f.AuthorityHost(), DisableInstanceDiscovery: true}
}

// signIn resolves cfg, builds its credential and asks for a Graph token the
// way the Graph client does.
func signIn(t *testing.T, cfg Config, opts Options) (Selection, string, error) {
	t.Helper()
	sel, problems := Resolve(cfg)
	if len(problems) > 0 {
		t.Fatalf("Resolve: %s", formatProblems(problems))
	}
	cred, err := sel.Credential(opts)
	if err != nil {
		t.Fatalf("Credential: %v", err)
	}
	token, err := cred.GetToken(testContext(t), policy.TokenRequestOptions{Scopes: []string{sel.Cloud.Scope()}})
	return sel, token.Token, err
}

// Each service principal method, end to end against the fake Microsoft
// Entra: the token that comes back is the one the fake issued for exactly
// that grant, asked for Graph's scope.
func TestServicePrincipalMethodsSignIn(t *testing.T) {
	t.Parallel()
	cert := testfakes.NewCertificate(t)
	f := testfakes.NewIdentity(t, cert)
	base := Config{TenantID: f.TenantID, ClientID: f.ClientID}
	with := func(edit func(*Config)) Config { cfg := base; edit(&cfg); return cfg }
	tests := []struct {
		name   string
		cfg    Config
		method Method
		grant  testfakes.Grant
	}{
		{"secret", with(func(c *Config) { c.ClientSecret = f.ClientSecret }), MethodClientSecret, testfakes.GrantClientSecret},
		{"secret file", with(func(c *Config) { c.ClientSecretFilePath = writeFile(t, "secret", f.ClientSecret+"\n") }), MethodClientSecret, testfakes.GrantClientSecret},
		{"client id file", Config{TenantID: f.TenantID, ClientIDFilePath: writeFile(t, "client-id", f.ClientID+"\n"), ClientSecret: f.ClientSecret}, MethodClientSecret, testfakes.GrantClientSecret},
		{"pkcs12 certificate", with(func(c *Config) {
			c.ClientCertificate, c.ClientCertificatePassword = cert.PFXBase64(), cert.Password
		}), MethodClientCertificate, testfakes.GrantClientCertificate},
		{"pkcs12 certificate file", with(func(c *Config) {
			c.ClientCertificatePath, c.ClientCertificatePassword = writeFile(t, "app.pfx", string(cert.PFX)), cert.Password
		}), MethodClientCertificate, testfakes.GrantClientCertificate},
		{"pem certificate file", with(func(c *Config) { c.ClientCertificatePath = writeFile(t, "app.pem", string(cert.PEM)) }), MethodClientCertificate, testfakes.GrantClientCertificate},
		{"oidc token", with(func(c *Config) { c.UseOIDC, c.OIDCToken = true, f.FederatedToken }), MethodOIDC, testfakes.GrantFederated},
		{"oidc token file", with(func(c *Config) {
			c.UseOIDC, c.OIDCTokenFilePath = true, writeFile(t, "federated-token", f.FederatedToken)
		}), MethodOIDC, testfakes.GrantFederated},
		{"oidc token request", with(func(c *Config) {
			c.UseOIDC, c.OIDCRequestToken, c.OIDCRequestURL = true, f.RequestToken, f.OIDCRequestURL()
		}), MethodOIDC, testfakes.GrantFederated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the fake's request log is shared.
			before := len(f.Requests())
			sel, token, err := signIn(t, tt.cfg, fakeOptions(f))
			if err != nil {
				t.Fatalf("GetToken: %v", err)
			}
			if sel.Method != tt.method {
				t.Fatalf("chose %s, want %s", sel.Method, tt.method)
			}
			if token != f.Tokens[tt.grant] {
				t.Fatalf("got a token the fake did not issue for %s", tt.grant)
			}
			last := f.Requests()[before:]
			got := last[len(last)-1]
			if got.Grant != tt.grant || strings.Fields(got.Scope)[0] != "https://graph.microsoft.com/.default" || got.ClientID != f.ClientID {
				t.Fatalf("the fake saw %+v", got)
			}
		})
	}
	// The request-URL variant asked the CI for Entra's token exchange
	// audience, with the request token.
	i := slices.IndexFunc(f.Requests(), func(r testfakes.Request) bool { return r.Grant == testfakes.GrantOIDCRequest })
	if i < 0 || f.Requests()[i].Scope != "api://AzureADTokenExchange" {
		t.Fatalf("OIDC requests: %+v", f.Requests())
	}
}

// A national cloud asks for its own Graph's audience and signs in at its own
// authority.
func TestNationalCloudAudienceAndAuthority(t *testing.T) {
	t.Parallel()
	f := testfakes.NewIdentity(t, nil)
	for env, scope := range map[string]string{
		"usgovernment": "https://graph.microsoft.us/.default",
		"dod":          "https://dod-graph.microsoft.us/.default",
		"china":        "https://microsoftgraph.chinacloudapi.cn/.default",
	} {
		before := len(f.Requests())
		_, _, err := signIn(t, Config{Environment: env, TenantID: f.TenantID, ClientID: f.ClientID, ClientSecret: f.ClientSecret}, fakeOptions(f))
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		// MSAL adds the OpenID scopes to every request.
		if got := f.Requests()[before:]; len(got) != 1 || strings.Fields(got[0].Scope)[0] != scope {
			t.Fatalf("%s: the fake saw %+v, want scope %s", env, got, scope)
		}
	}

	// Without the test override, each credential goes to its cloud's
	// authority: the first request names the login host.
	for env, host := range map[string]string{
		"global": "login.microsoftonline.com", "usgovernment": "login.microsoftonline.us",
		"dod": "login.microsoftonline.us", "china": "login.chinacloudapi.cn",
	} {
		rec := &recordingTransport{}
		cfg := Config{Environment: env, TenantID: testTenant, ClientID: testClient, ClientSecret: "s3cr3t-value"}
		_, _, err := signIn(t, cfg, Options{Transport: rec, DisableInstanceDiscovery: true})
		if err == nil {
			t.Fatalf("%s: a token without a network", env)
		}
		if hosts := rec.hosts(); len(hosts) == 0 || hosts[0] != host {
			t.Fatalf("%s: requests went to %v, want %s", env, hosts, host)
		}
		assertNoSecrets(t, cfg, err.Error())
	}
}

// recordingTransport refuses every request and remembers where it was
// going. It answers 400 rather than failing the connection, which azcore
// would retry with backoff.
type recordingTransport struct {
	mu   sync.Mutex
	urls []string
}

func (r *recordingTransport) Do(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.urls = append(r.urls, req.URL.Host)
	return &http.Response{
		StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Request: req,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(strings.NewReader(`{"error":"invalid_request","error_description":"no network in tests"}`)),
	}, nil
}

func (r *recordingTransport) hosts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.urls...)
}

// A refused sign-in names the method and what to check, carries Entra's
// reason, and repeats no secret.
func TestSignInFailuresExplainWithoutSecrets(t *testing.T) {
	t.Parallel()
	f := testfakes.NewIdentity(t, nil)
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"wrong secret", Config{TenantID: f.TenantID, ClientID: f.ClientID, ClientSecret: "wrong-secret-value"},
			[]string{"signing in with a client secret failed", "AADSTS7000215", "Check tenant_id, client_id"}},
		{"wrong request token", Config{TenantID: f.TenantID, ClientID: f.ClientID, UseOIDC: true, OIDCRequestToken: "wrong-request-token", OIDCRequestURL: f.OIDCRequestURL()},
			[]string{"signing in with OIDC workload identity federation failed", "requesting an OIDC token from 127.0.0.1", "HTTP status 401"}},
		{"unknown federated token", Config{TenantID: f.TenantID, ClientID: f.ClientID, UseOIDC: true, OIDCToken: "eyJ.not-the-federated.token"},
			[]string{"signing in with OIDC workload identity federation failed", "AADSTS700027"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := signIn(t, tt.cfg, fakeOptions(f))
			var signInErr *SignInError
			if !errors.As(err, &signInErr) {
				t.Fatalf("GetToken error %v, want a SignInError", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%s", want, err)
				}
			}
			assertNoSecrets(t, tt.cfg, err.Error())
		})
	}
}

// Managed identity against a fake App Service identity endpoint, which
// azidentity finds through IDENTITY_ENDPOINT and IDENTITY_HEADER.
func TestManagedIdentitySignsIn(t *testing.T) {
	f := testfakes.NewIdentity(t, nil)
	f.SetManagedIdentityEnv(t)
	for name, clientID := range map[string]string{"system-assigned": "", "user-assigned": "22222222-0000-0000-0000-000000000002"} {
		before := len(f.Requests())
		sel, token, err := signIn(t, Config{UseMSI: true, UseCLI: true, ClientID: clientID, Environment: "usgovernment"}, fakeOptions(f))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if sel.Method != MethodManagedIdentity || token != f.Tokens[testfakes.GrantManagedIdentity] {
			t.Fatalf("%s: chose %s, token from the fake: %v", name, sel.Method, token == f.Tokens[testfakes.GrantManagedIdentity])
		}
		got := f.Requests()[before:]
		if len(got) != 1 || got[0].Scope != "https://graph.microsoft.us" || got[0].ClientID != clientID {
			t.Fatalf("%s: the fake saw %+v", name, got)
		}
	}
}

// The Azure CLI path runs az for Graph's resource in the configured tenant,
// once: the token is cached until shortly before it expires.
func TestAzureCLISignsIn(t *testing.T) {
	token := testfakes.DelegatedToken("Megan Bowen")
	cli := testfakes.InstallAzureCLI(t, token, true)
	sel, problems := Resolve(Config{UseCLI: true, TenantID: testTenant, Environment: "dod"})
	if len(problems) > 0 || sel.Method != MethodAzureCLI {
		t.Fatalf("Resolve() = %s, %s", sel, formatProblems(problems))
	}
	cred, err := sel.Credential(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := cred.GetToken(testContext(t), policy.TokenRequestOptions{Scopes: []string{sel.Cloud.Scope()}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Token != token {
			t.Fatal("the token is not the one az printed")
		}
	}
	calls := cli.Calls()
	want := "account get-access-token -o json --resource https://dod-graph.microsoft.us --tenant " + testTenant
	if len(calls) != 1 || calls[0] != want {
		t.Fatalf("az calls %q, want one %q", calls, want)
	}
}

func TestAzureCLINotLoggedIn(t *testing.T) {
	testfakes.InstallAzureCLI(t, "unused", false)
	_, _, err := signIn(t, Config{UseCLI: true}, Options{})
	var signInErr *SignInError
	if !errors.As(err, &signInErr) || signInErr.Method != MethodAzureCLI {
		t.Fatalf("error %v, want a SignInError for the Azure CLI", err)
	}
	for _, want := range []string{"signing in with the Azure CLI failed", "Please run 'az login'", `Run "az login"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%s", want, err)
		}
	}
}

// The static token needs no identity service at all.
func TestAccessTokenIsUsedAsIs(t *testing.T) {
	t.Parallel()
	sel, token, err := signIn(t, Config{AccessToken: "eyJ.static.token", UseCLI: true}, Options{Transport: &recordingTransport{}})
	if err != nil || sel.Method != MethodAccessToken || token != "eyJ.static.token" {
		t.Fatalf("%s %q %v", sel, token, err)
	}
}
