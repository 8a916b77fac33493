package auth

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

const (
	testTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testClient = "11111111-2222-3333-4444-555555555555"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// secretsOf lists every secret a Config holds, to prove none of them is
// repeated in a message.
func secretsOf(cfg Config) []string {
	var out []string
	for _, s := range []string{cfg.AccessToken, cfg.ClientCertificate, cfg.ClientCertificatePassword, cfg.ClientSecret, cfg.OIDCToken, cfg.OIDCRequestToken} {
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	return out
}

func assertNoSecrets(t *testing.T, cfg Config, texts ...string) {
	t.Helper()
	for _, secret := range secretsOf(cfg) {
		for _, text := range texts {
			if strings.Contains(text, secret) {
				t.Errorf("a message repeats a secret value: %q", text)
			}
		}
	}
}

// Every wrong combination that can be seen without reading files, with the
// exact message the user gets.
func TestCheckProblems(t *testing.T) {
	t.Parallel()
	sp := func(cfg Config) Config { cfg.TenantID, cfg.ClientID = testTenant, testClient; return cfg }
	tests := []struct {
		name string
		cfg  Config
		want []Problem
	}{
		{"unknown environment", Config{Environment: "mars", UseCLI: true}, []Problem{{
			AttrEnvironment, "Unknown Environment",
			`environment (ARM_ENVIRONMENT) is "mars", which is not a Microsoft cloud this provider knows. Known environments are global (alias public), usgovernment (alias usgovernmentl4), dod (alias usgovernmentl5) and china.`,
		}}},
		{"certificate and certificate path", sp(Config{ClientCertificate: "MIIKcQ==", ClientCertificatePath: "/certs/app.pfx"}), []Problem{{
			AttrClientCertificatePath, "Conflicting Client Certificates",
			"Both client_certificate (ARM_CLIENT_CERTIFICATE) and client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) are set. Set only one of them.",
		}}},
		{"certificate password without certificate", Config{ClientCertificatePassword: "hunter22", UseCLI: true}, []Problem{{
			AttrClientCertificatePassword, "Client Certificate Password Without a Certificate",
			"client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD) is set, but neither client_certificate (ARM_CLIENT_CERTIFICATE) nor client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) is. Set the certificate, or remove the password.",
		}}},
		{"certificate without tenant", Config{ClientCertificatePath: "/certs/app.pfx", ClientID: testClient}, []Problem{{
			AttrTenantID, "Missing Tenant ID",
			"client_certificate_path needs tenant_id (ARM_TENANT_ID): a service principal signs in to one tenant.",
		}}},
		{"certificate without client id", Config{ClientCertificate: "MIIKcQ==", TenantID: testTenant}, []Problem{{
			AttrClientID, "Missing Client ID",
			"client_certificate needs client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH): the application (client) id of the app registration.",
		}}},
		{"certificate without tenant or client id", Config{ClientCertificate: "MIIKcQ=="}, []Problem{
			{AttrTenantID, "Missing Tenant ID", "client_certificate needs tenant_id (ARM_TENANT_ID): a service principal signs in to one tenant."},
			{AttrClientID, "Missing Client ID", "client_certificate needs client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH): the application (client) id of the app registration."},
		}},
		{"secret and secret file", sp(Config{ClientSecret: "s3cr3t-value", ClientSecretFilePath: "/run/secrets/sp"}), []Problem{{
			AttrClientSecretFilePath, "Conflicting Client Secrets",
			"Both client_secret (ARM_CLIENT_SECRET) and client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) are set. Set only one of them.",
		}}},
		{"secret without tenant", Config{ClientSecret: "s3cr3t-value", ClientIDFilePath: "/run/secrets/client-id"}, []Problem{{
			AttrTenantID, "Missing Tenant ID",
			"client_secret needs tenant_id (ARM_TENANT_ID): a service principal signs in to one tenant.",
		}}},
		{"secret file without client id", Config{ClientSecretFilePath: "/run/secrets/sp", TenantID: testTenant}, []Problem{{
			AttrClientID, "Missing Client ID",
			"client_secret_file_path needs client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH): the application (client) id of the app registration.",
		}}},
		{"oidc without any token source", sp(Config{UseOIDC: true}), []Problem{{
			AttrUseOIDC, "Missing OIDC Token",
			"use_oidc (ARM_USE_OIDC) is true, but there is no token to exchange. Set oidc_token (ARM_OIDC_TOKEN), oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH), or both oidc_request_token (ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN) and oidc_request_url (ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL).",
		}}},
		{"oidc request token without url", sp(Config{UseOIDC: true, OIDCRequestToken: "ghs-request-token"}), []Problem{{
			AttrOIDCRequestURL, "Missing OIDC Request URL",
			"oidc_request_token (ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN) is set, but oidc_request_url (ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL) is not; requesting a token needs both.",
		}}},
		{"oidc request url without token", sp(Config{UseOIDC: true, OIDCRequestURL: "https://ci.example/idtoken"}), []Problem{{
			AttrOIDCRequestToken, "Missing OIDC Request Token",
			"oidc_request_url (ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL) is set, but oidc_request_token (ARM_OIDC_REQUEST_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN) is not; requesting a token needs both.",
		}}},
		{"oidc request url over plain http", sp(Config{UseOIDC: true, OIDCRequestToken: "ghs-request-token", OIDCRequestURL: "http://ci.example/idtoken"}), []Problem{{
			AttrOIDCRequestURL, "Invalid OIDC Request URL",
			"oidc_request_url (ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL) must be an absolute https URL (plain http only for loopback hosts): the request carries oidc_request_token.",
		}}},
		{"oidc request url relative", sp(Config{UseOIDC: true, OIDCRequestToken: "ghs-request-token", OIDCRequestURL: "/idtoken"}), []Problem{{
			AttrOIDCRequestURL, "Invalid OIDC Request URL",
			"oidc_request_url (ARM_OIDC_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_URL) must be an absolute https URL (plain http only for loopback hosts): the request carries oidc_request_token.",
		}}},
		{"oidc token and token file", sp(Config{UseOIDC: true, OIDCToken: "eyJ.federated.token", OIDCTokenFilePath: "/var/run/secrets/token"}), []Problem{{
			AttrOIDCTokenFilePath, "Conflicting OIDC Tokens",
			"Both oidc_token (ARM_OIDC_TOKEN) and oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) are set. Set only one of them.",
		}}},
		{"oidc without tenant and client id", Config{UseOIDC: true, OIDCToken: "eyJ.federated.token"}, []Problem{
			{AttrTenantID, "Missing Tenant ID", "use_oidc needs tenant_id (ARM_TENANT_ID): a service principal signs in to one tenant."},
			{AttrClientID, "Missing Client ID", "use_oidc needs client_id (ARM_CLIENT_ID) or client_id_file_path (ARM_CLIENT_ID_FILE_PATH): the application (client) id of the app registration."},
		}},
		{"several at once", Config{Environment: "moon", ClientSecret: "s3cr3t-value", ClientSecretFilePath: "/x", TenantID: testTenant, ClientID: testClient}, []Problem{
			{AttrEnvironment, "Unknown Environment", `environment (ARM_ENVIRONMENT) is "moon", which is not a Microsoft cloud this provider knows. Known environments are global (alias public), usgovernment (alias usgovernmentl4), dod (alias usgovernmentl5) and china.`},
			{AttrClientSecretFilePath, "Conflicting Client Secrets", "Both client_secret (ARM_CLIENT_SECRET) and client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) are set. Set only one of them."},
		}},
		// Settings that are fine.
		{"oidc settings ignored without use_oidc", Config{OIDCRequestToken: "ghs-request-token", OIDCRequestURL: "http://ci.example/x", UseCLI: true}, nil},
		{"oidc request over loopback http", sp(Config{UseOIDC: true, OIDCRequestToken: "ghs-request-token", OIDCRequestURL: "http://127.0.0.1:8080/idtoken"}), nil},
		{"oidc token wins over request settings", sp(Config{UseOIDC: true, OIDCToken: "eyJ.federated.token", OIDCRequestURL: "http://ci.example/x"}), nil},
		{"managed identity needs nothing else", Config{UseMSI: true}, nil},
		{"nothing at all", Config{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Check(tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Check() =\n%s\nwant\n%s", formatProblems(got), formatProblems(tt.want))
			}
			for _, p := range got {
				assertNoSecrets(t, tt.cfg, p.Summary, p.Detail)
			}
		})
	}
}

// The problems only Resolve finds: files that cannot be read, values that
// do not parse, and the sign-in method that cannot work.
func TestResolveProblems(t *testing.T) {
	t.Parallel()
	cert := testfakes.NewCertificate(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	empty := writeFile(t, "empty", "\n")
	clientIDFile := writeFile(t, "client-id", "99999999-0000-0000-0000-000000000000\n")
	pfxFile := writeFile(t, "app.pfx", string(cert.PFX))
	sp := func(cfg Config) Config { cfg.TenantID, cfg.ClientID = testTenant, testClient; return cfg }
	tests := []struct {
		name string
		cfg  Config
		want []Problem
	}{
		{"client id file missing", Config{ClientIDFilePath: missing, UseCLI: false, UseMSI: true}, []Problem{{
			AttrClientIDFilePath, "Unreadable Client ID File",
			"client_id_file_path (ARM_CLIENT_ID_FILE_PATH): cannot read " + missing + ": no such file or directory.",
		}}},
		{"client id file empty", Config{ClientIDFilePath: empty, UseMSI: true}, []Problem{{
			AttrClientIDFilePath, "Unreadable Client ID File",
			"client_id_file_path (ARM_CLIENT_ID_FILE_PATH): the file " + empty + " is empty.",
		}}},
		{"client id and file disagree", Config{ClientID: testClient, ClientIDFilePath: clientIDFile, UseMSI: true}, []Problem{{
			AttrClientIDFilePath, "Conflicting Client IDs",
			"client_id (ARM_CLIENT_ID) and the content of client_id_file_path (ARM_CLIENT_ID_FILE_PATH) differ. Remove one of them, or make them match.",
		}}},
		{"secret file missing", sp(Config{ClientSecretFilePath: missing}), []Problem{{
			AttrClientSecretFilePath, "Unreadable Client Secret File",
			"client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH): cannot read " + missing + ": no such file or directory.",
		}}},
		{"secret file is a directory", sp(Config{ClientSecretFilePath: dir}), []Problem{{
			AttrClientSecretFilePath, "Unreadable Client Secret File",
			"client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH): cannot read " + dir + ": is a directory.",
		}}},
		{"certificate not base64", sp(Config{ClientCertificate: "not*base64"}), []Problem{{
			AttrClientCertificate, "Invalid Client Certificate",
			"client_certificate (ARM_CLIENT_CERTIFICATE) must be a base64-encoded PKCS#12 (.pfx) bundle: illegal base64 data at input byte 3.",
		}}},
		{"certificate with the wrong password", sp(Config{ClientCertificate: cert.PFXBase64(), ClientCertificatePassword: "wrong-password"}), []Problem{{
			AttrClientCertificate, "Invalid Client Certificate",
			"Could not read a certificate and its private key from client_certificate (ARM_CLIENT_CERTIFICATE): pkcs12: decryption password incorrect. It must be a PKCS#12 (.pfx) bundle (or PEM with the certificate and an unencrypted key), and client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD) must be its password.",
		}}},
		{"certificate file with the wrong password", sp(Config{ClientCertificatePath: pfxFile, ClientCertificatePassword: "wrong-password"}), []Problem{{
			AttrClientCertificatePath, "Invalid Client Certificate",
			"Could not read a certificate and its private key from client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH): pkcs12: decryption password incorrect. It must be a PKCS#12 (.pfx) bundle (or PEM with the certificate and an unencrypted key), and client_certificate_password (ARM_CLIENT_CERTIFICATE_PASSWORD) must be its password.",
		}}},
		{"certificate file missing", sp(Config{ClientCertificatePath: missing}), []Problem{{
			AttrClientCertificatePath, "Unreadable Client Certificate File",
			"client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH): cannot read " + missing + ": no such file or directory.",
		}}},
		{"oidc token file missing", sp(Config{UseOIDC: true, OIDCTokenFilePath: missing}), []Problem{{
			AttrOIDCTokenFilePath, "Unreadable OIDC Token File",
			"oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH): cannot read " + missing + ": no such file or directory.",
		}}},
		// A broken setting is reported even when another method wins.
		{"broken secret file under an access token", sp(Config{AccessToken: "eyJ.static.token", ClientSecretFilePath: missing, UseCLI: true}), []Problem{{
			AttrClientSecretFilePath, "Unreadable Client Secret File",
			"client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH): cannot read " + missing + ": no such file or directory.",
		}}},
		{"nothing configured", Config{UseCLI: false}, []Problem{{
			AttrUseCLI, "No Sign-In Method Configured",
			`use_cli (ARM_USE_CLI) is false and no other sign-in method is configured. Configure one of access_token, client_certificate, client_secret, use_oidc or use_msi, or turn use_cli back on and sign in with "az login".`,
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sel, got := Resolve(tt.cfg)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Resolve() problems =\n%s\nwant\n%s", formatProblems(got), formatProblems(tt.want))
			}
			if sel.Method != "" {
				t.Fatalf("Resolve() chose %s despite problems", sel.Method)
			}
			for _, p := range got {
				assertNoSecrets(t, tt.cfg, p.Summary, p.Detail)
			}
		})
	}
}

// With use_cli on (the default) and nothing else configured, a missing az is
// reported at plan time rather than on the first Graph call.
func TestResolveAzureCLINotFound(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, got := Resolve(Config{UseCLI: true})
	want := []Problem{{AttrUseCLI, "Azure CLI Not Found",
		`No other sign-in method is configured, so the provider signs in with the Azure CLI (use_cli (ARM_USE_CLI) is on), but the az executable is not on PATH. Install the Azure CLI and run "az login", or configure another method: access_token, client_certificate, client_secret, use_oidc or use_msi.`}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Resolve() problems =\n%s\nwant\n%s", formatProblems(got), formatProblems(want))
	}
}

// A configured method wins over the Azure CLI without az being looked up:
// make demo and CI with ARM_ACCESS_TOKEN must not need the CLI installed.
func TestOtherMethodsNeverLookForTheAzureCLI(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, cfg := range []Config{
		{AccessToken: "eyJ.static.token", UseCLI: true},
		{UseMSI: true, UseCLI: true},
		{TenantID: testTenant, ClientID: testClient, ClientSecret: "s3cr3t-value", UseCLI: true},
	} {
		sel, problems := Resolve(cfg)
		if len(problems) > 0 || sel.Method == MethodAzureCLI || sel.Method == "" {
			t.Errorf("Resolve() = %s, %s", sel, formatProblems(problems))
		}
	}
}

// When several methods are configured, the first of Precedence wins; each
// row removes the previous winner.
func TestPrecedence(t *testing.T) {
	cert := testfakes.NewCertificate(t)
	testfakes.InstallAzureCLI(t, testfakes.DelegatedToken("Megan Bowen"), true)
	all := Config{
		TenantID: testTenant, ClientID: testClient,
		AccessToken:       "eyJ.static.token",
		ClientCertificate: cert.PFXBase64(), ClientCertificatePassword: cert.Password,
		ClientSecret: "s3cr3t-value",
		UseOIDC:      true, OIDCToken: "eyJ.federated.token",
		UseMSI: true,
		UseCLI: true,
	}
	steps := []struct {
		want   Method
		remove func(*Config)
	}{
		{MethodAccessToken, func(c *Config) { c.AccessToken = "" }},
		{MethodClientCertificate, func(c *Config) { c.ClientCertificate, c.ClientCertificatePassword = "", "" }},
		{MethodClientSecret, func(c *Config) { c.ClientSecret = "" }},
		{MethodOIDC, func(c *Config) { c.UseOIDC = false }},
		{MethodManagedIdentity, func(c *Config) { c.UseMSI = false }},
		{MethodAzureCLI, func(c *Config) { c.UseCLI = false }},
	}
	cfg := all
	for i, step := range steps {
		sel, problems := Resolve(cfg)
		if len(problems) > 0 {
			t.Fatalf("step %d: %s", i, formatProblems(problems))
		}
		if sel.Method != step.want {
			t.Fatalf("step %d: chose %s, want %s", i, sel.Method, step.want)
		}
		if step.want != Precedence[i] {
			t.Fatalf("the table disagrees with Precedence at %d", i)
		}
		step.remove(&cfg)
	}
	// The OIDC token is ignored unless use_oidc is on.
	sel, _ := Resolve(Config{TenantID: testTenant, ClientID: testClient, OIDCToken: "eyJ.federated.token", UseMSI: true})
	if sel.Method != MethodManagedIdentity {
		t.Fatalf("an OIDC token without use_oidc chose %s", sel.Method)
	}
	// A secret from a file counts as a secret.
	sel, _ = Resolve(Config{TenantID: testTenant, ClientID: testClient, ClientSecretFilePath: writeFile(t, "secret", "s3cr3t-value\n"), UseMSI: true})
	if sel.Method != MethodClientSecret || sel.clientSecret != "s3cr3t-value" {
		t.Fatalf("a secret file chose %s", sel.Method)
	}
}

// A Selection and a Config never print their secrets, whatever the verb.
func TestSecretsDoNotFormat(t *testing.T) {
	t.Parallel()
	cfg := Config{TenantID: testTenant, ClientID: testClient, AccessToken: "eyJ.static.token", ClientSecret: "s3cr3t-value"}
	sel, problems := Resolve(cfg)
	if len(problems) > 0 {
		t.Fatal(formatProblems(problems))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, sel, &cfg, &sel} {
			assertNoSecrets(t, cfg, fmt.Sprintf(verb, v))
		}
	}
}

func formatProblems(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  [%s] %s: %s\n", p.Attribute, p.Summary, p.Detail)
	}
	if b.Len() == 0 {
		return "  (none)"
	}
	return b.String()
}
