// Package auth decides how the provider signs in to Microsoft Graph. It turns
// the provider's settings (attributes, or their ARM_* environment variables)
// into one azcore.TokenCredential from azidentity, and the environment name
// into the national cloud's Graph host, token audience and login authority.
//
// It knows nothing of Terraform: a wrong combination of settings comes back
// as a Problem naming the attribute, for the provider to report. Secrets are
// never formatted into a Problem, an error or a log line.
package auth

import (
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Method is a way of signing in.
type Method string

// The sign-in methods, in the order Resolve tries them: the first one
// configured wins. A static token needs nothing fetched, so it comes first;
// then the service principal methods, which are configured only on purpose
// (a certificate before a secret, as in azuread); then the ambient identities
// of the machine, managed identity and finally the Azure CLI, which is on by
// default and so must lose to anything configured explicitly.
const (
	MethodAccessToken       Method = "access_token"
	MethodClientCertificate Method = "client_certificate"
	MethodClientSecret      Method = "client_secret"
	MethodOIDC              Method = "oidc"
	MethodManagedIdentity   Method = "managed_identity"
	MethodAzureCLI          Method = "azure_cli"
)

// Precedence is the order in which methods are tried.
var Precedence = []Method{
	MethodAccessToken, MethodClientCertificate, MethodClientSecret, MethodOIDC, MethodManagedIdentity, MethodAzureCLI,
}

// Config holds the sign-in settings after environment variables are applied.
// An empty string or false means not set.
type Config struct {
	Environment string

	TenantID         string
	ClientID         string
	ClientIDFilePath string

	AccessToken string

	ClientCertificate         string // base64 PKCS#12
	ClientCertificatePath     string
	ClientCertificatePassword string

	ClientSecret         string
	ClientSecretFilePath string

	UseOIDC           bool
	OIDCToken         string
	OIDCTokenFilePath string
	OIDCRequestToken  string
	OIDCRequestURL    string

	UseMSI bool
	UseCLI bool
}

// String never shows values: a Config holds secrets.
func (Config) String() string { return "auth.Config{…}" }

// GoString never shows values either (%#v).
func (c Config) GoString() string { return c.String() }

// Problem is a configuration error, pinned to the attribute to fix.
type Problem struct {
	Attribute string
	Summary   string
	Detail    string
}

// Selection is the sign-in method Resolve chose, with everything it needs
// already read and checked.
type Selection struct {
	Method Method
	Cloud  Cloud

	tenantID string
	clientID string

	accessToken string

	certificates []*x509.Certificate
	key          crypto.PrivateKey

	clientSecret string

	oidcToken         string
	oidcTokenFilePath string
	oidcRequestToken  string
	oidcRequestURL    string
}

// String names the method only: a Selection holds secrets.
func (s Selection) String() string { return string(s.Method) + " in " + s.Cloud.Name }

// GoString never shows values either (%#v).
func (s Selection) GoString() string { return "auth.Selection{" + s.String() + "}" }

// Check reports wrong combinations of settings without touching files or the
// machine, so it can run when Terraform validates the configuration.
func Check(cfg Config) []Problem {
	var problems []Problem
	add := func(attr, summary, detail string) {
		problems = append(problems, Problem{Attribute: attr, Summary: summary, Detail: detail})
	}

	if _, ok := LookupCloud(cfg.Environment); !ok {
		add(AttrEnvironment, "Unknown Environment", fmt.Sprintf(
			"%s is %q, which is not a Microsoft cloud this provider knows. Known environments are %s.",
			setting(AttrEnvironment), cfg.Environment, strings.ReplaceAll(EnvironmentNames, "`", "")))
	}

	certificate := firstSet(cfg, AttrClientCertificate, AttrClientCertificatePath)
	if cfg.ClientCertificate != "" && cfg.ClientCertificatePath != "" {
		add(AttrClientCertificatePath, "Conflicting Client Certificates", fmt.Sprintf(
			"Both %s and %s are set. Set only one of them.", setting(AttrClientCertificate), setting(AttrClientCertificatePath)))
	}
	if cfg.ClientCertificatePassword != "" && certificate == "" {
		add(AttrClientCertificatePassword, "Client Certificate Password Without a Certificate", fmt.Sprintf(
			"%s is set, but neither %s nor %s is. Set the certificate, or remove the password.",
			setting(AttrClientCertificatePassword), setting(AttrClientCertificate), setting(AttrClientCertificatePath)))
	}
	if certificate != "" {
		problems = append(problems, checkServicePrincipal(cfg, certificate)...)
	}

	secret := firstSet(cfg, AttrClientSecret, AttrClientSecretFilePath)
	if cfg.ClientSecret != "" && cfg.ClientSecretFilePath != "" {
		add(AttrClientSecretFilePath, "Conflicting Client Secrets", fmt.Sprintf(
			"Both %s and %s are set. Set only one of them.", setting(AttrClientSecret), setting(AttrClientSecretFilePath)))
	}
	if secret != "" {
		problems = append(problems, checkServicePrincipal(cfg, secret)...)
	}

	// The OIDC settings are read only when use_oidc is on: GitHub Actions
	// exports its token request variables in every job that may use OIDC,
	// whether or not this provider is meant to.
	if cfg.UseOIDC {
		problems = append(problems, checkOIDC(cfg)...)
	}
	return problems
}

// checkServicePrincipal checks what every service principal method needs:
// the tenant to sign in to and the application's client id.
func checkServicePrincipal(cfg Config, method string) []Problem {
	var problems []Problem
	if cfg.TenantID == "" {
		problems = append(problems, Problem{AttrTenantID, "Missing Tenant ID", fmt.Sprintf(
			"%s needs %s: a service principal signs in to one tenant.", method, setting(AttrTenantID))})
	}
	if cfg.ClientID == "" && cfg.ClientIDFilePath == "" {
		problems = append(problems, Problem{AttrClientID, "Missing Client ID", fmt.Sprintf(
			"%s needs %s or %s: the application (client) id of the app registration.",
			method, setting(AttrClientID), setting(AttrClientIDFilePath))})
	}
	return problems
}

func checkOIDC(cfg Config) []Problem {
	var problems []Problem
	add := func(attr, summary, detail string) {
		problems = append(problems, Problem{Attribute: attr, Summary: summary, Detail: detail})
	}
	if cfg.OIDCToken != "" && cfg.OIDCTokenFilePath != "" {
		add(AttrOIDCTokenFilePath, "Conflicting OIDC Tokens", fmt.Sprintf(
			"Both %s and %s are set. Set only one of them.", setting(AttrOIDCToken), setting(AttrOIDCTokenFilePath)))
	}
	direct := cfg.OIDCToken != "" || cfg.OIDCTokenFilePath != ""
	switch {
	case direct:
		// A token given directly wins over requesting one; the request
		// settings are not checked.
	case cfg.OIDCRequestToken == "" && cfg.OIDCRequestURL == "":
		add(AttrUseOIDC, "Missing OIDC Token", fmt.Sprintf(
			"%s is true, but there is no token to exchange. Set %s, %s, or both %s and %s.",
			setting(AttrUseOIDC), setting(AttrOIDCToken), setting(AttrOIDCTokenFilePath),
			setting(AttrOIDCRequestToken), setting(AttrOIDCRequestURL)))
	case cfg.OIDCRequestURL == "":
		add(AttrOIDCRequestURL, "Missing OIDC Request URL", fmt.Sprintf(
			"%s is set, but %s is not; requesting a token needs both.", setting(AttrOIDCRequestToken), setting(AttrOIDCRequestURL)))
	case cfg.OIDCRequestToken == "":
		add(AttrOIDCRequestToken, "Missing OIDC Request Token", fmt.Sprintf(
			"%s is set, but %s is not; requesting a token needs both.", setting(AttrOIDCRequestURL), setting(AttrOIDCRequestToken)))
	default:
		if !validRequestURL(cfg.OIDCRequestURL) {
			add(AttrOIDCRequestURL, "Invalid OIDC Request URL", fmt.Sprintf(
				"%s must be an absolute https URL (plain http only for loopback hosts): the request carries %s.",
				setting(AttrOIDCRequestURL), AttrOIDCRequestToken))
		}
	}
	problems = append(problems, checkServicePrincipal(cfg, AttrUseOIDC)...)
	return problems
}

// validRequestURL accepts https, and plain http only on loopback, where the
// request token cannot be read on the wire.
func validRequestURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return isLoopback(u.Hostname())
	}
	return false
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// firstSet returns the name of the first of attrs that is set in cfg.
func firstSet(cfg Config, attrs ...string) string {
	for _, attr := range attrs {
		if value(cfg, attr) != "" {
			return attr
		}
	}
	return ""
}

func value(cfg Config, attr string) string {
	switch attr {
	case AttrClientCertificate:
		return cfg.ClientCertificate
	case AttrClientCertificatePath:
		return cfg.ClientCertificatePath
	case AttrClientSecret:
		return cfg.ClientSecret
	case AttrClientSecretFilePath:
		return cfg.ClientSecretFilePath
	}
	return ""
}

// Resolve checks cfg, reads the files it names and picks the sign-in method:
// the first of Precedence that is configured. Every setting given must be
// valid, even one that loses to another method, so that a broken setting
// does not wait to surprise whoever removes the one that won.
//
// The Azure CLI is looked up on PATH only when it is the method chosen; it is
// not run until a token is needed.
func Resolve(cfg Config) (Selection, []Problem) {
	if problems := Check(cfg); len(problems) > 0 {
		return Selection{}, problems
	}
	cloud, _ := LookupCloud(cfg.Environment)
	sel := Selection{Cloud: cloud, tenantID: cfg.TenantID, clientID: cfg.ClientID}
	var problems []Problem
	add := func(attr, summary, detail string) {
		problems = append(problems, Problem{Attribute: attr, Summary: summary, Detail: detail})
	}

	if cfg.ClientIDFilePath != "" {
		fromFile, err := readSettingFile(cfg.ClientIDFilePath)
		switch {
		case err != nil:
			add(AttrClientIDFilePath, "Unreadable Client ID File", fmt.Sprintf("%s: %s.", setting(AttrClientIDFilePath), err))
		case cfg.ClientID != "" && fromFile != cfg.ClientID:
			add(AttrClientIDFilePath, "Conflicting Client IDs", fmt.Sprintf(
				"%s and the content of %s differ. Remove one of them, or make them match.",
				setting(AttrClientID), setting(AttrClientIDFilePath)))
		default:
			sel.clientID = fromFile
		}
	}

	switch {
	case cfg.ClientCertificate != "":
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cfg.ClientCertificate))
		if err != nil {
			add(AttrClientCertificate, "Invalid Client Certificate", fmt.Sprintf(
				"%s must be a base64-encoded PKCS#12 (.pfx) bundle: %s.", setting(AttrClientCertificate), err))
			break
		}
		sel.certificates, sel.key, err = azidentity.ParseCertificates(der, []byte(cfg.ClientCertificatePassword))
		if err != nil {
			add(AttrClientCertificate, "Invalid Client Certificate", certificateDetail(AttrClientCertificate, err))
		}
	case cfg.ClientCertificatePath != "":
		data, err := os.ReadFile(cfg.ClientCertificatePath)
		if err != nil {
			add(AttrClientCertificatePath, "Unreadable Client Certificate File", fmt.Sprintf("%s: %s.", setting(AttrClientCertificatePath), fileError(err)))
			break
		}
		sel.certificates, sel.key, err = azidentity.ParseCertificates(data, []byte(cfg.ClientCertificatePassword))
		if err != nil {
			add(AttrClientCertificatePath, "Invalid Client Certificate", certificateDetail(AttrClientCertificatePath, err))
		}
	}

	sel.clientSecret = cfg.ClientSecret
	if cfg.ClientSecretFilePath != "" {
		secret, err := readSettingFile(cfg.ClientSecretFilePath)
		if err != nil {
			add(AttrClientSecretFilePath, "Unreadable Client Secret File", fmt.Sprintf("%s: %s.", setting(AttrClientSecretFilePath), err))
		}
		sel.clientSecret = secret
	}

	if cfg.UseOIDC {
		sel.oidcToken = cfg.OIDCToken
		sel.oidcRequestToken, sel.oidcRequestURL = cfg.OIDCRequestToken, cfg.OIDCRequestURL
		if cfg.OIDCTokenFilePath != "" {
			// azidentity reads the file again whenever it needs a new token
			// (Kubernetes rotates it); reading it now catches a wrong path
			// at plan time.
			if _, err := readSettingFile(cfg.OIDCTokenFilePath); err != nil {
				add(AttrOIDCTokenFilePath, "Unreadable OIDC Token File", fmt.Sprintf("%s: %s.", setting(AttrOIDCTokenFilePath), err))
			}
			sel.oidcTokenFilePath = cfg.OIDCTokenFilePath
		}
	}
	if len(problems) > 0 {
		return Selection{}, problems
	}

	switch {
	case cfg.AccessToken != "":
		sel.Method, sel.accessToken = MethodAccessToken, cfg.AccessToken
	case sel.certificates != nil:
		sel.Method = MethodClientCertificate
	case sel.clientSecret != "":
		sel.Method = MethodClientSecret
	case cfg.UseOIDC:
		sel.Method = MethodOIDC
	case cfg.UseMSI:
		sel.Method = MethodManagedIdentity
	case cfg.UseCLI:
		sel.Method = MethodAzureCLI
		if _, err := exec.LookPath(azureCLIExecutable); err != nil {
			return Selection{}, []Problem{{AttrUseCLI, "Azure CLI Not Found", fmt.Sprintf(
				"No other sign-in method is configured, so the provider signs in with the Azure CLI (%s is on), "+
					"but the %s executable is not on PATH. Install the Azure CLI and run \"az login\", "+
					"or configure another method: %s, %s, %s, %s or %s.",
				setting(AttrUseCLI), azureCLIExecutable, AttrAccessToken, AttrClientCertificate, AttrClientSecret, AttrUseOIDC, AttrUseMSI)}}
		}
	default:
		return Selection{}, []Problem{{AttrUseCLI, "No Sign-In Method Configured", fmt.Sprintf(
			"%s is false and no other sign-in method is configured. Configure one of %s, %s, %s, %s or %s, "+
				"or turn %s back on and sign in with \"az login\".",
			setting(AttrUseCLI), AttrAccessToken, AttrClientCertificate, AttrClientSecret, AttrUseOIDC, AttrUseMSI, AttrUseCLI)}}
	}
	if sel.Method != MethodClientCertificate {
		// Only the chosen method keeps its secrets.
		sel.certificates, sel.key = nil, nil
	}
	if sel.Method != MethodClientSecret {
		sel.clientSecret = ""
	}
	if sel.Method != MethodOIDC {
		sel.oidcToken, sel.oidcTokenFilePath, sel.oidcRequestToken, sel.oidcRequestURL = "", "", "", ""
	}
	return sel, nil
}

// azureCLIExecutable is what azidentity runs ("az account get-access-token").
const azureCLIExecutable = "az"

func certificateDetail(attr string, err error) string {
	return fmt.Sprintf("Could not read a certificate and its private key from %s: %s. It must be a PKCS#12 (.pfx) bundle "+
		"(or PEM with the certificate and an unencrypted key), and %s must be its password.",
		setting(attr), err, setting(AttrClientCertificatePassword))
}

// readSettingFile reads a file holding one value, such as a client id or a
// secret written by a secret store, without the trailing newline.
func readSettingFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fileError(err)
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", fmt.Errorf("the file %s is empty", path)
	}
	return v, nil
}

// fileError keeps the operating system's reason and the path, never content.
func fileError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read %s: %v", pe.Path, pe.Err)
	}
	return err
}
