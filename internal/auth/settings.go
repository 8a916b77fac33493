package auth

import "strings"

// Attribute names of the provider block. They, and the environment variables
// below, are the azuread provider's, so a provider block or a CI pipeline
// written for azuread works here unchanged.
const (
	AttrEnvironment               = "environment"
	AttrTenantID                  = "tenant_id"
	AttrClientID                  = "client_id"
	AttrClientIDFilePath          = "client_id_file_path"
	AttrAccessToken               = "access_token"
	AttrClientCertificate         = "client_certificate"
	AttrClientCertificatePath     = "client_certificate_path"
	AttrClientCertificatePassword = "client_certificate_password"
	AttrClientSecret              = "client_secret"
	AttrClientSecretFilePath      = "client_secret_file_path"
	AttrUseOIDC                   = "use_oidc"
	AttrOIDCToken                 = "oidc_token"
	AttrOIDCTokenFilePath         = "oidc_token_file_path"
	AttrOIDCRequestToken          = "oidc_request_token"
	AttrOIDCRequestURL            = "oidc_request_url"
	AttrUseMSI                    = "use_msi"
	AttrUseCLI                    = "use_cli"
)

// envVars are the environment variables read for an attribute left out of
// the provider block, first match wins. GitHub Actions exports the
// ACTIONS_ID_TOKEN_REQUEST_* pair in jobs with `permissions: id-token: write`.
var envVars = map[string][]string{
	AttrEnvironment:               {"ARM_ENVIRONMENT"},
	AttrTenantID:                  {"ARM_TENANT_ID"},
	AttrClientID:                  {"ARM_CLIENT_ID"},
	AttrClientIDFilePath:          {"ARM_CLIENT_ID_FILE_PATH"},
	AttrAccessToken:               {"ARM_ACCESS_TOKEN"},
	AttrClientCertificate:         {"ARM_CLIENT_CERTIFICATE"},
	AttrClientCertificatePath:     {"ARM_CLIENT_CERTIFICATE_PATH"},
	AttrClientCertificatePassword: {"ARM_CLIENT_CERTIFICATE_PASSWORD"},
	AttrClientSecret:              {"ARM_CLIENT_SECRET"},
	AttrClientSecretFilePath:      {"ARM_CLIENT_SECRET_FILE_PATH"},
	AttrUseOIDC:                   {"ARM_USE_OIDC"},
	AttrOIDCToken:                 {"ARM_OIDC_TOKEN"},
	AttrOIDCTokenFilePath:         {"ARM_OIDC_TOKEN_FILE_PATH"},
	AttrOIDCRequestToken:          {"ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"},
	AttrOIDCRequestURL:            {"ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"},
	AttrUseMSI:                    {"ARM_USE_MSI"},
	AttrUseCLI:                    {"ARM_USE_CLI"},
}

// EnvVars returns the environment variables read for attr, in order.
func EnvVars(attr string) []string {
	return envVars[attr]
}

// setting names an attribute together with its environment variables, the
// way every message refers to a setting: users may have set either.
func setting(attr string) string {
	envs := envVars[attr]
	if len(envs) == 0 {
		return attr
	}
	return attr + " (" + strings.Join(envs, ", ") + ")"
}
