package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed40294029/terraform-provider-msgraph/internal/auth"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator/emulatortest"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// testProviderVersion is what the user agent must name.
const testProviderVersion = "1.2.3-authtest"

// authEnv is an emulator that accepts exactly the tokens a fake Microsoft
// identity service (and a fake Azure CLI) issue, reached through a recording
// proxy: the endpoint is custom, as with a corporate proxy, so the test also
// shows that tokens are still asked for Graph's audience and sent to the
// endpoint alone.
type authEnv struct {
	*testEnv
	identity  *testfakes.Identity
	cert      *testfakes.Certificate
	proxy     *testfakes.GraphProxy
	userToken string
}

// newAuthEnv also makes the emulator accept moreUserTokens, as the signed-in
// user's.
func newAuthEnv(t *testing.T, moreUserTokens ...string) *authEnv {
	t.Helper()
	skipInLiveRun(t)
	cert := testfakes.NewCertificate(t)
	identity := testfakes.NewIdentity(t, cert)
	userToken := testfakes.DelegatedToken(testUserName)
	tokens := map[string]emulator.Principal{}
	for _, token := range append(moreUserTokens, userToken) {
		tokens[token] = emulatortest.User
	}
	for _, token := range identity.Tokens {
		tokens[token] = emulatortest.App
	}
	env := newTestEnv(t, emulator.Options{Tokens: tokens})
	return &authEnv{testEnv: env, identity: identity, cert: cert, proxy: testfakes.NewGraphProxy(t, env.endpoint), userToken: userToken}
}

// factories serve a provider whose credentials trust the fake identity
// service and sign in at it.
func (e *authEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	p := &msgraphProvider{version: testProviderVersion, commit: "test", authOptions: auth.Options{
		Transport: e.identity.Client(), AuthorityHost: e.identity.AuthorityHost(), DisableInstanceDiscovery: true,
	}}
	return protoV6ProviderFactories(p)
}

// provider is a provider block for the proxy endpoint with extra settings.
func (e *authEnv) provider(settings string) string {
	return fmt.Sprintf(`
provider "msgraph" {
  endpoint = %q
%s
}
`, e.proxy.Endpoint, settings)
}

// adoptExisting seeds a conversation and returns a configuration that imports
// it: reading it and, at destroy, deleting it are what an application token
// may do.
func (e *authEnv) adoptExisting(t *testing.T, providerBlock string) (string, string) {
	t.Helper()
	existing, err := e.server.SeedConversation(e.group.ID, "Provisioned elsewhere",
		emulator.ItemBody{ContentType: "text", Content: "Hello"}, nil, emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	return providerBlock + fmt.Sprintf(`
import {
  to = msgraph_group_conversation.test
  id = "%s/%s"
}

resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Provisioned elsewhere"
  body     = { content_type = "text", content = "Hello" }
}
`, e.group.ID, existing.ID, e.group.ID), existing.ID
}

// createConfig creates a new conversation, which needs a delegated token.
func (e *authEnv) createConfig(providerBlock string) string {
	return providerBlock + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Signed in"
  body     = { content_type = "text", content = "Hello" }
}
`, e.group.ID)
}

// checkGraphSaw asserts that Graph received only the wanted token, always
// with the provider's user agent. Tokens are compared, never printed.
func (e *authEnv) checkGraphSaw(token string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		requests := e.proxy.Requests()
		if len(requests) == 0 {
			return fmt.Errorf("no request reached Graph")
		}
		for _, r := range requests {
			if r.Authorization != "Bearer "+token {
				return fmt.Errorf("%s %s carried another token than the one expected (present: %v)", r.Method, r.Path, r.Authorization != "")
			}
			if !strings.Contains(r.UserAgent, "terraform-provider-msgraph/"+testProviderVersion) {
				return fmt.Errorf("%s %s had User-Agent %q", r.Method, r.Path, r.UserAgent)
			}
		}
		return nil
	}
}

// checkIdentitySaw asserts the fake identity service issued a token for the
// grant, for Graph's audience in the environment (not the proxy's host).
func (e *authEnv) checkIdentitySaw(grant testfakes.Grant, scope string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, r := range e.identity.Requests() {
			if r.Grant == grant && strings.Fields(r.Scope)[0] == scope {
				return nil
			}
		}
		return fmt.Errorf("the identity service saw no %s request for %s: %+v", grant, scope, e.identity.Requests())
	}
}

func (e *authEnv) checkAdoptedDestroyed(id string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, ok := e.server.Conversation(e.group.ID, id); ok {
			return fmt.Errorf("conversation %s survived destroy", id)
		}
		return nil
	}
}

func writeTestFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Each service principal method signs in at the fake Microsoft Entra, and
// Graph receives exactly the token Entra issued for it. None needs az: these
// methods win over use_cli, which is on by default.
func TestAccProviderAuth_servicePrincipal(t *testing.T) {
	skipInLiveRun(t)
	tests := []struct {
		name     string
		settings func(e *authEnv, t *testing.T) string
		grant    testfakes.Grant
		scope    string
	}{
		{"client_secret", func(e *authEnv, _ *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = %q", e.identity.TenantID, e.identity.ClientID, e.identity.ClientSecret)
		}, testfakes.GrantClientSecret, "https://graph.microsoft.com/.default"},
		{"client_secret_file_path", func(e *authEnv, t *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id_file_path = %q\nclient_secret_file_path = %q", e.identity.TenantID,
				writeTestFile(t, "client-id", []byte(e.identity.ClientID+"\n")), writeTestFile(t, "secret", []byte(e.identity.ClientSecret+"\n")))
		}, testfakes.GrantClientSecret, "https://graph.microsoft.com/.default"},
		{"client_certificate", func(e *authEnv, _ *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate = %q\nclient_certificate_password = %q",
				e.identity.TenantID, e.identity.ClientID, e.cert.PFXBase64(), e.cert.Password)
		}, testfakes.GrantClientCertificate, "https://graph.microsoft.com/.default"},
		{"client_certificate_path", func(e *authEnv, t *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_certificate_path = %q\nclient_certificate_password = %q",
				e.identity.TenantID, e.identity.ClientID, writeTestFile(t, "app.pfx", e.cert.PFX), e.cert.Password)
		}, testfakes.GrantClientCertificate, "https://graph.microsoft.com/.default"},
		{"oidc_token", func(e *authEnv, _ *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nuse_oidc = true\noidc_token = %q", e.identity.TenantID, e.identity.ClientID, e.identity.FederatedToken)
		}, testfakes.GrantFederated, "https://graph.microsoft.com/.default"},
		{"oidc_token_file_path", func(e *authEnv, t *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nuse_oidc = true\noidc_token_file_path = %q", e.identity.TenantID, e.identity.ClientID,
				writeTestFile(t, "federated-token", []byte(e.identity.FederatedToken)))
		}, testfakes.GrantFederated, "https://graph.microsoft.com/.default"},
		{"oidc_request", func(e *authEnv, _ *testing.T) string {
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nuse_oidc = true\noidc_request_token = %q\noidc_request_url = %q",
				e.identity.TenantID, e.identity.ClientID, e.identity.RequestToken, e.identity.OIDCRequestURL())
		}, testfakes.GrantFederated, "https://graph.microsoft.com/.default"},
		{"client_secret_usgovernment", func(e *authEnv, _ *testing.T) string {
			return fmt.Sprintf("environment = \"usgovernment\"\ntenant_id = %q\nclient_id = %q\nclient_secret = %q", e.identity.TenantID, e.identity.ClientID, e.identity.ClientSecret)
		}, testfakes.GrantClientSecret, "https://graph.microsoft.us/.default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newAuthEnv(t)
			config, id := env.adoptExisting(t, env.provider(tt.settings(env, t)))
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				CheckDestroy:             resource.ComposeTestCheckFunc(env.checkAdoptedDestroyed(id), env.checkGraphSaw(env.identity.Tokens[tt.grant])),
				Steps: []resource.TestStep{{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					},
					Check: resource.ComposeTestCheckFunc(env.checkGraphSaw(env.identity.Tokens[tt.grant]), env.checkIdentitySaw(tt.grant, tt.scope)),
				}},
			})
		})
	}
}

// An application token reaches Graph, which refuses the create; the error
// says why and how to sign in as a user.
func TestAccProviderAuth_applicationTokenCannotCreate(t *testing.T) {
	env := newAuthEnv(t)
	config := env.createConfig(env.provider(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = %q",
		env.identity.TenantID, env.identity.ClientID, env.identity.ClientSecret)))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ExpectError: expectError("Create Group Conversation Failed", "needs a delegated (user) token",
				`run "az login"`, "set access_token to a token issued to a signed-in user", "Graph error code: ErrorAccessDenied"),
		}},
	})
}

// The Azure CLI path: az (a fake on PATH) hands out a user's token, which can
// create conversations. Not parallel: PATH is process-wide.
func TestAccProviderAuth_azureCLI(t *testing.T) {
	env := newAuthEnv(t)
	cli := testfakes.InstallAzureCLI(t, env.userToken, true)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.createConfig(env.provider(fmt.Sprintf("tenant_id = %q", env.identity.TenantID))),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("unique_senders"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(testUserName),
				})),
			},
			Check: resource.ComposeTestCheckFunc(env.checkGraphSaw(env.userToken), func(*terraform.State) error {
				want := "account get-access-token -o json --resource https://graph.microsoft.com --tenant " + env.identity.TenantID
				calls := cli.Calls()
				if len(calls) == 0 || slices.ContainsFunc(calls, func(c string) bool { return c != want }) {
					return fmt.Errorf("az calls %q, want only %q", calls, want)
				}
				return nil
			}),
		}},
	})
}

// When az has no signed-in user, the first Graph call fails with the CLI's
// reason and what to do. Not parallel: PATH is process-wide.
func TestAccProviderAuth_azureCLINotLoggedIn(t *testing.T) {
	env := newAuthEnv(t)
	testfakes.InstallAzureCLI(t, env.userToken, false)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config: env.createConfig(env.provider("")),
			ExpectError: expectError("Create Group Conversation Failed", "signing in with the Azure CLI failed",
				"Please run 'az login'", `Run "az login"`),
		}},
	})
	if n := len(env.proxy.Requests()); n != 0 {
		t.Fatalf("%d requests reached Graph without a token", n)
	}
}

// Managed identity against a fake App Service identity endpoint; client_id
// picks a user-assigned identity. Not parallel: the endpoint is set in the
// process environment, as App Service does.
func TestAccProviderAuth_managedIdentity(t *testing.T) {
	env := newAuthEnv(t)
	env.identity.SetManagedIdentityEnv(t)
	const identityClientID = "33333333-0000-4000-8000-000000000003"
	config, id := env.adoptExisting(t, env.provider(fmt.Sprintf("use_msi = true\nclient_id = %q", identityClientID)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkAdoptedDestroyed(id),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(env.checkGraphSaw(env.identity.Tokens[testfakes.GrantManagedIdentity]), func(*terraform.State) error {
				for _, r := range env.identity.Requests() {
					if r.Grant == testfakes.GrantManagedIdentity && r.Scope == "https://graph.microsoft.com" && r.ClientID == identityClientID {
						return nil
					}
				}
				return fmt.Errorf("the identity endpoint saw %+v", env.identity.Requests())
			}),
		}},
	})
}

// access_token wins over everything, and then neither the identity service
// nor az is asked: make demo and pipelines with ARM_ACCESS_TOKEN need no
// CLI. Not parallel: it installs a fake az to prove it is never run.
func TestAccProviderAuth_accessTokenWins(t *testing.T) {
	env := newAuthEnv(t)
	cli := testfakes.InstallAzureCLI(t, env.userToken, true)
	env.identity.SetManagedIdentityEnv(t)
	t.Setenv("ARM_ACCESS_TOKEN", env.userToken)
	config := env.createConfig(env.provider(fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = %q\nuse_msi = true\nuse_cli = true",
		env.identity.TenantID, env.identity.ClientID, env.identity.ClientSecret)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(env.checkGraphSaw(env.userToken), func(*terraform.State) error {
				if n := len(env.identity.Requests()); n != 0 {
					return fmt.Errorf("the identity service was asked %d times", n)
				}
				if calls := cli.Calls(); len(calls) != 0 {
					return fmt.Errorf("az was run: %q", calls)
				}
				return nil
			}),
		}},
	})
}

// Wrong combinations fail the plan with an error on the attribute at fault.
func TestAccProviderAuth_invalidConfiguration(t *testing.T) {
	env := newAuthEnv(t)
	missing := filepath.Join(t.TempDir(), "missing")
	sp := fmt.Sprintf("tenant_id = %q\nclient_id = %q\n", env.identity.TenantID, env.identity.ClientID)
	tests := map[string]struct {
		settings string
		want     *regexp.Regexp
	}{
		"certificate without tenant": {fmt.Sprintf("client_id = %q\nclient_certificate = %q", env.identity.ClientID, env.cert.PFXBase64()),
			expectError("Missing Tenant ID", "client_certificate needs tenant_id (ARM_TENANT_ID)")},
		"secret and secret file": {sp + fmt.Sprintf("client_secret = \"x-secret\"\nclient_secret_file_path = %q", missing),
			expectError("Conflicting Client Secrets", "Both client_secret (ARM_CLIENT_SECRET) and client_secret_file_path")},
		"unknown environment": {`environment = "mars"`,
			expectError("Unknown Environment", `environment (ARM_ENVIRONMENT) is "mars"`, "usgovernment (alias usgovernmentl4)")},
		"oidc without a token": {sp + "use_oidc = true",
			expectError("Missing OIDC Token", "use_oidc (ARM_USE_OIDC) is true, but there is no token to exchange")},
		"secret file missing": {sp + fmt.Sprintf("client_secret_file_path = %q", missing),
			expectError("Unreadable Client Secret File", "cannot read "+missing+": no such file or directory")},
		"client id mismatch": {sp + fmt.Sprintf("client_id_file_path = %q\nuse_msi = true", writeTestFile(t, "client-id", []byte("another-client-id"))),
			expectError("Conflicting Client IDs", "client_id (ARM_CLIENT_ID) and the content of client_id_file_path")},
		"wrong certificate password": {sp + fmt.Sprintf("client_certificate = %q\nclient_certificate_password = \"not-it\"", env.cert.PFXBase64()),
			expectError("Invalid Client Certificate", "pkcs12: decryption password incorrect")},
		"nothing to sign in with": {"use_cli = false",
			expectError("No Sign-In Method Configured", "use_cli (ARM_USE_CLI) is false")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				Steps: []resource.TestStep{{
					Config:      env.createConfig(env.provider(tt.settings)),
					ExpectError: tt.want,
				}},
			})
		})
	}
}

// A switch in the environment that is not a boolean is an error naming the
// variable. Not parallel: it sets the process environment.
func TestAccProviderAuth_invalidBooleanEnvironmentVariable(t *testing.T) {
	env := newAuthEnv(t)
	t.Setenv("ARM_USE_CLI", "maybe")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories(),
		Steps: []resource.TestStep{{
			Config:      env.createConfig(env.provider("")),
			ExpectError: expectError("Invalid Environment Variable", `ARM_USE_CLI is "maybe"; it must be true or false.`),
		}},
	})
}

// With TF_LOG=TRACE, the log of a whole apply and destroy holds no secret,
// password, certificate or token, whichever way the provider signed in.
// Not parallel: the log settings and the sign-in variables are process-wide.
func TestAccProviderAuth_traceLogHasNoSecrets(t *testing.T) {
	staticToken := testfakes.DelegatedToken(testUserName)
	env := newAuthEnv(t, staticToken)

	secrets := map[string]string{
		"client secret":        env.identity.ClientSecret,
		"certificate password": env.cert.Password,
		"certificate":          env.cert.PFXBase64()[:64],
		"federated token":      env.identity.FederatedToken,
		"oidc request token":   env.identity.RequestToken,
		"identity header":      env.identity.IdentityHeader,
		"user token":           env.userToken,
		"static token":         staticToken,
	}
	for grant, token := range env.identity.Tokens {
		secrets["access token for "+string(grant)] = token
	}
	// Each token's signature-free payload is unique, so even a log line
	// cut at the dot would be found.
	for name, value := range secrets {
		if parts := strings.Split(value, "."); len(parts) == 3 && len(parts[1]) > 20 {
			secrets[name+" payload"] = parts[1]
		}
	}

	tests := []struct {
		name   string
		method auth.Method
		setup  func(t *testing.T) string // returns the provider settings
		create bool                      // delegated methods create; others adopt
	}{
		// Secrets come the ways users pass them: a sensitive variable, or
		// the environment. (A literal in the configuration would be in the
		// log through terraform-plugin-testing, which logs each step's
		// configuration, not through Terraform or the provider.)
		{"client_secret_from_variable", auth.MethodClientSecret, func(t *testing.T) string {
			t.Setenv("TF_VAR_client_secret", env.identity.ClientSecret)
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q\nclient_secret = var.client_secret\n}\n\n"+
				"variable \"client_secret\" {\n  type      = string\n  sensitive = true", env.identity.TenantID, env.identity.ClientID)
		}, false},
		{"client_certificate_from_environment", auth.MethodClientCertificate, func(t *testing.T) string {
			t.Setenv("ARM_CLIENT_CERTIFICATE", env.cert.PFXBase64())
			t.Setenv("ARM_CLIENT_CERTIFICATE_PASSWORD", env.cert.Password)
			return fmt.Sprintf("tenant_id = %q\nclient_id = %q", env.identity.TenantID, env.identity.ClientID)
		}, false},
		{"oidc_request_from_environment", auth.MethodOIDC, func(t *testing.T) string {
			t.Setenv("ARM_USE_OIDC", "true")
			t.Setenv("ARM_TENANT_ID", env.identity.TenantID)
			t.Setenv("ARM_CLIENT_ID", env.identity.ClientID)
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", env.identity.RequestToken)
			t.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", env.identity.OIDCRequestURL())
			return ""
		}, false},
		{"managed_identity", auth.MethodManagedIdentity, func(t *testing.T) string {
			env.identity.SetManagedIdentityEnv(t)
			return "use_msi = true"
		}, false},
		{"azure_cli", auth.MethodAzureCLI, func(t *testing.T) string {
			testfakes.InstallAzureCLI(t, env.userToken, true)
			return ""
		}, true},
		{"access_token_from_environment", auth.MethodAccessToken, func(t *testing.T) string {
			t.Setenv("ARM_ACCESS_TOKEN", staticToken)
			return ""
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "terraform.log")
			t.Setenv("TF_ACC_LOG_PATH", logFile)
			t.Setenv("TF_ACC_LOG", "TRACE")
			t.Setenv("TF_LOG", "TRACE")
			t.Setenv("TF_LOG_SDK_PROTO_DATA_DIR", "")
			settings := tt.setup(t)
			var config, id string
			if tt.create {
				config = env.createConfig(env.provider(settings))
			} else {
				config, id = env.adoptExisting(t, env.provider(settings))
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.factories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
				CheckDestroy: func(s *terraform.State) error {
					if id != "" {
						return env.checkAdoptedDestroyed(id)(s)
					}
					return env.checkDestroyed(s)
				},
				Steps: []resource.TestStep{{Config: config}},
			})
			data, err := os.ReadFile(logFile)
			if err != nil {
				t.Fatal(err)
			}
			log := string(data)
			// The log must hold the provider's own trace, or finding no
			// secret in it would prove nothing.
			for _, want := range []string{`sign_in_method=` + string(tt.method), "Graph request"} {
				if !strings.Contains(log, want) {
					t.Fatalf("the log (%d bytes) lacks %q", len(log), want)
				}
			}
			for name, secret := range secrets {
				if strings.Contains(log, secret) {
					t.Errorf("the TRACE log contains the %s", name)
				}
			}
			if regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/-]{8,}`).MatchString(log) {
				t.Error("the TRACE log contains a bearer token")
			}
		})
	}
}
