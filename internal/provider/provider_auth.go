package provider

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed40294029/terraform-provider-msgraph/internal/auth"
)

// signInModel holds the provider attributes that choose how to sign in. The
// names, and the ARM_* environment variables behind them, are the azuread
// provider's; internal/auth does the choosing.
type signInModel struct {
	Environment               types.String `tfsdk:"environment"`
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientIDFilePath          types.String `tfsdk:"client_id_file_path"`
	AccessToken               types.String `tfsdk:"access_token"`
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientSecretFilePath      types.String `tfsdk:"client_secret_file_path"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
}

// signInAttributes are the schema attributes of signInModel. Each
// description ends with its environment variables, taken from internal/auth
// so the two cannot drift apart.
func signInAttributes() map[string]schema.Attribute {
	str := func(attr, description string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{MarkdownDescription: description + " " + envNote(attr), Optional: true, Sensitive: sensitive}
	}
	boolean := func(attr, description string) schema.BoolAttribute {
		return schema.BoolAttribute{MarkdownDescription: description + " " + envNote(attr), Optional: true}
	}
	return map[string]schema.Attribute{
		auth.AttrEnvironment: str(auth.AttrEnvironment, "The Microsoft cloud to sign in to and call: one of "+auth.EnvironmentNames+
			". It picks the Graph host, the audience of the token and the Microsoft Entra login authority together. "+
			"Defaults to `global`.", false),
		auth.AttrTenantID: str(auth.AttrTenantID, "The Microsoft Entra tenant (directory) id to sign in to. Needed by "+
			"`client_certificate`, `client_secret` and `use_oidc`; with the Azure CLI it selects the tenant of the token.", false),
		auth.AttrClientID: str(auth.AttrClientID, "The application (client) id of the app registration that signs in with a "+
			"certificate, a secret or OIDC; with `use_msi`, the client id of a user-assigned managed identity.", false),
		auth.AttrClientIDFilePath: str(auth.AttrClientIDFilePath, "The path of a file holding `client_id`. When both are "+
			"set, they must match.", false),
		auth.AttrAccessToken: str(auth.AttrAccessToken, "A bearer token for Microsoft Graph, used as is. It takes precedence "+
			"over every other sign-in method. Creating conversations needs a delegated (user) token, for example from "+
			"`az account get-access-token --resource-type ms-graph`.", true),
		auth.AttrClientCertificate: str(auth.AttrClientCertificate, "The app registration's certificate and private key as a "+
			"base64-encoded PKCS#12 (`.pfx`) bundle, to sign in as the application. Needs `tenant_id` and `client_id`; "+
			"conflicts with `client_certificate_path`. Takes precedence over `client_secret`, `use_oidc`, `use_msi` and `use_cli`.", true),
		auth.AttrClientCertificatePath: str(auth.AttrClientCertificatePath, "The path of the app registration's certificate "+
			"and private key: a PKCS#12 (`.pfx`) file, or a PEM file with an unencrypted key. Otherwise as `client_certificate`.", false),
		auth.AttrClientCertificatePassword: str(auth.AttrClientCertificatePassword, "The password of the PKCS#12 bundle in "+
			"`client_certificate` or `client_certificate_path`.", true),
		auth.AttrClientSecret: str(auth.AttrClientSecret, "A client secret of the app registration, to sign in as the "+
			"application. Needs `tenant_id` and `client_id`; conflicts with `client_secret_file_path`. Takes precedence over "+
			"`use_oidc`, `use_msi` and `use_cli`.", true),
		auth.AttrClientSecretFilePath: str(auth.AttrClientSecretFilePath, "The path of a file holding the client secret, "+
			"for example one mounted by a secret store. Otherwise as `client_secret`.", false),
		auth.AttrUseOIDC: boolean(auth.AttrUseOIDC, "Sign in as the application with OpenID Connect workload identity "+
			"federation: a token from a CI system or from Kubernetes (`oidc_token`, `oidc_token_file_path`, or one requested "+
			"with `oidc_request_token` and `oidc_request_url`, in that order) is exchanged at Microsoft Entra. Needs "+
			"`tenant_id` and `client_id`. Takes precedence over `use_msi` and `use_cli`. Defaults to `false`."),
		auth.AttrOIDCToken: str(auth.AttrOIDCToken, "An ID token to exchange when `use_oidc` is true. Conflicts with "+
			"`oidc_token_file_path`.", true),
		auth.AttrOIDCTokenFilePath: str(auth.AttrOIDCTokenFilePath, "The path of a file holding the ID token to exchange "+
			"when `use_oidc` is true, read again whenever a new Graph token is needed (Kubernetes rotates it).", false),
		auth.AttrOIDCRequestToken: str(auth.AttrOIDCRequestToken, "The bearer token that authorizes requesting an ID token "+
			"from `oidc_request_url` (GitHub Actions), when `use_oidc` is true and no `oidc_token` or `oidc_token_file_path` "+
			"is set.", true),
		auth.AttrOIDCRequestURL: str(auth.AttrOIDCRequestURL, "The URL an ID token is requested from (GitHub Actions). "+
			"The audience `api://AzureADTokenExchange` is asked for unless the URL has an `audience` parameter. Must be "+
			"`https://` (plain `http://` only for loopback hosts).", false),
		auth.AttrUseMSI: boolean(auth.AttrUseMSI, "Sign in as the managed identity of the Azure VM, App Service, Function or "+
			"container the provider runs on; `client_id` selects a user-assigned identity. Takes precedence over `use_cli`. "+
			"Defaults to `false`."),
		auth.AttrUseCLI: boolean(auth.AttrUseCLI, "Sign in as the user logged in to the Azure CLI (`az login`): the usual "+
			"way to the delegated token that creating conversations needs. Used only when no other sign-in method is "+
			"configured. Defaults to `true`."),
	}
}

// envNote says which environment variables stand in for an attribute.
func envNote(attr string) string {
	envs := auth.EnvVars(attr)
	quoted := make([]string, len(envs))
	for i, env := range envs {
		quoted[i] = "`" + env + "`"
	}
	return "Can also be set with the " + strings.Join(quoted, " or ") + " environment variable."
}

// unknown reports whether any sign-in attribute is known only at apply.
func (m signInModel) unknown() bool {
	for _, v := range []interface{ IsUnknown() bool }{
		m.Environment, m.TenantID, m.ClientID, m.ClientIDFilePath, m.AccessToken, m.ClientCertificate, m.ClientCertificatePath,
		m.ClientCertificatePassword, m.ClientSecret, m.ClientSecretFilePath, m.UseOIDC, m.OIDCToken, m.OIDCTokenFilePath,
		m.OIDCRequestToken, m.OIDCRequestURL, m.UseMSI, m.UseCLI,
	} {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// authConfig applies the environment variables to the attributes left out.
func (m signInModel) authConfig() (auth.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	boolean := func(v types.Bool, attr string, fallback bool) bool {
		b, err := boolOrEnv(v, attr, fallback)
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid Environment Variable", err.Error())
		}
		return b
	}
	cfg := auth.Config{
		Environment:               settingOrEnv(m.Environment, auth.AttrEnvironment),
		TenantID:                  settingOrEnv(m.TenantID, auth.AttrTenantID),
		ClientID:                  settingOrEnv(m.ClientID, auth.AttrClientID),
		ClientIDFilePath:          settingOrEnv(m.ClientIDFilePath, auth.AttrClientIDFilePath),
		AccessToken:               settingOrEnv(m.AccessToken, auth.AttrAccessToken),
		ClientCertificate:         settingOrEnv(m.ClientCertificate, auth.AttrClientCertificate),
		ClientCertificatePath:     settingOrEnv(m.ClientCertificatePath, auth.AttrClientCertificatePath),
		ClientCertificatePassword: settingOrEnv(m.ClientCertificatePassword, auth.AttrClientCertificatePassword),
		ClientSecret:              settingOrEnv(m.ClientSecret, auth.AttrClientSecret),
		ClientSecretFilePath:      settingOrEnv(m.ClientSecretFilePath, auth.AttrClientSecretFilePath),
		UseOIDC:                   boolean(m.UseOIDC, auth.AttrUseOIDC, false),
		OIDCToken:                 settingOrEnv(m.OIDCToken, auth.AttrOIDCToken),
		OIDCTokenFilePath:         settingOrEnv(m.OIDCTokenFilePath, auth.AttrOIDCTokenFilePath),
		OIDCRequestToken:          settingOrEnv(m.OIDCRequestToken, auth.AttrOIDCRequestToken),
		OIDCRequestURL:            settingOrEnv(m.OIDCRequestURL, auth.AttrOIDCRequestURL),
		UseMSI:                    boolean(m.UseMSI, auth.AttrUseMSI, false),
		UseCLI:                    boolean(m.UseCLI, auth.AttrUseCLI, true),
	}
	return cfg, diags
}

// settingOrEnv returns the configured value, else the first of the
// attribute's environment variables that is set.
func settingOrEnv(v types.String, attr string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	for _, env := range auth.EnvVars(attr) {
		if e := os.Getenv(env); e != "" {
			return e
		}
	}
	return ""
}

// boolOrEnv returns the configured value, else the environment variable,
// else the fallback. The value of an invalid variable is named: it is a
// switch, never a secret.
func boolOrEnv(v types.Bool, attr string, fallback bool) (bool, error) {
	if !v.IsNull() {
		return v.ValueBool(), nil
	}
	for _, env := range auth.EnvVars(attr) {
		raw := strings.TrimSpace(os.Getenv(env))
		if raw == "" {
			continue
		}
		b, err := strconv.ParseBool(raw)
		if err != nil {
			//nolint:staticcheck // ST1005: a full sentence, shown as the diagnostic's detail.
			return fallback, fmt.Errorf("%s is %q; it must be true or false.", env, raw)
		}
		return b, nil
	}
	return fallback, nil
}

// addProblems reports the auth package's findings on their attributes.
func addProblems(diags *diag.Diagnostics, problems []auth.Problem) {
	for _, p := range problems {
		diags.AddAttributeError(path.Root(p.Attribute), p.Summary, p.Detail)
	}
}
