package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Options tune how credentials reach Microsoft Entra. The zero value is right
// outside tests.
type Options struct {
	// Transport sends the credentials' own HTTP requests: to the Entra
	// token endpoint, the managed identity endpoint and the OIDC token
	// request URL. nil means azcore's default. Tests pass an *http.Client
	// that trusts their fake identity server.
	Transport policy.Transporter
	// AuthorityHost replaces the environment's login endpoint, such as
	// https://login.microsoftonline.com/. Only tests set it.
	AuthorityHost string
	// DisableInstanceDiscovery skips asking Microsoft Entra for its instance
	// metadata, which only a fake authority needs.
	DisableInstanceDiscovery bool
}

// Credential builds the azidentity credential of the chosen method. It sends
// no request: tokens are fetched when Graph is first called.
func (s Selection) Credential(opts Options) (azcore.TokenCredential, error) {
	client := azcore.ClientOptions{Cloud: s.Cloud.configuration(opts.AuthorityHost), Transport: opts.Transport}
	var (
		credential azcore.TokenCredential
		err        error
	)
	switch s.Method {
	case MethodAccessToken:
		return staticToken(s.accessToken), nil
	case MethodClientCertificate:
		credential, err = azidentity.NewClientCertificateCredential(s.tenantID, s.clientID, s.certificates, s.key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: client, DisableInstanceDiscovery: opts.DisableInstanceDiscovery})
	case MethodClientSecret:
		credential, err = azidentity.NewClientSecretCredential(s.tenantID, s.clientID, s.clientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: client, DisableInstanceDiscovery: opts.DisableInstanceDiscovery})
	case MethodOIDC:
		if s.oidcTokenFilePath != "" {
			// azidentity's workload identity credential re-reads the file
			// as Kubernetes rotates the token in it.
			credential, err = azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
				ClientOptions: client, ClientID: s.clientID, TenantID: s.tenantID, TokenFilePath: s.oidcTokenFilePath,
				DisableInstanceDiscovery: opts.DisableInstanceDiscovery,
			})
			break
		}
		assertion := s.oidcAssertion(opts.Transport)
		credential, err = azidentity.NewClientAssertionCredential(s.tenantID, s.clientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: client, DisableInstanceDiscovery: opts.DisableInstanceDiscovery})
	case MethodManagedIdentity:
		miOpts := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: client}
		if s.clientID != "" {
			miOpts.ID = azidentity.ClientID(s.clientID)
		}
		credential, err = azidentity.NewManagedIdentityCredential(miOpts)
	case MethodAzureCLI:
		var cli *azidentity.AzureCLICredential
		cli, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: s.tenantID})
		if err == nil {
			// The CLI credential runs az for every token and caches
			// nothing; every Graph request would start a process.
			credential = &cachedCredential{inner: cli, tokens: map[string]azcore.AccessToken{}}
		}
	default:
		return nil, fmt.Errorf("no sign-in method was chosen")
	}
	if err != nil {
		return nil, fmt.Errorf("setting up %s: %w", s.Method.Description(), err)
	}
	return signInCredential{method: s.Method, inner: credential}, nil
}

// oidcAssertion returns the function that hands Microsoft Entra the token to
// exchange: the configured token, or one requested from the CI system.
func (s Selection) oidcAssertion(transport policy.Transporter) func(context.Context) (string, error) {
	if s.oidcToken != "" {
		token := s.oidcToken
		return func(context.Context) (string, error) { return token, nil }
	}
	requestURL, requestToken := s.oidcRequestURL, s.oidcRequestToken
	return func(ctx context.Context) (string, error) {
		return requestOIDCToken(ctx, transport, requestURL, requestToken)
	}
}

// Description names the method in messages.
func (m Method) Description() string {
	switch m {
	case MethodAccessToken:
		return "a static access token"
	case MethodClientCertificate:
		return "a client certificate"
	case MethodClientSecret:
		return "a client secret"
	case MethodOIDC:
		return "OIDC workload identity federation"
	case MethodManagedIdentity:
		return "a managed identity"
	case MethodAzureCLI:
		return "the Azure CLI"
	}
	return string(m)
}

// advice is what to try when a method could not get a token.
func (m Method) advice() string {
	switch m {
	case MethodAzureCLI:
		return `Run "az login" (for a national cloud, first "az cloud set --name AzureUSGovernment" or "AzureChinaCloud"), or configure another sign-in method.`
	case MethodManagedIdentity:
		return "Check that the machine has a managed identity and, for a user-assigned identity, that client_id is its client id."
	case MethodOIDC:
		return "Check that the app registration has a federated credential matching this workload, and tenant_id and client_id."
	case MethodClientCertificate, MethodClientSecret:
		return "Check tenant_id, client_id and that the credential has not expired."
	}
	return ""
}

// signInCredential says which method failed when a token cannot be had; the
// error otherwise surfaces deep inside a Graph call.
type signInCredential struct {
	method Method
	inner  azcore.TokenCredential
}

func (c signInCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	token, err := c.inner.GetToken(ctx, opts)
	if err != nil {
		return token, &SignInError{Method: c.method, Err: err}
	}
	return token, nil
}

// SignInError is a failure to get a token.
type SignInError struct {
	Method Method
	Err    error
}

func (e *SignInError) Error() string {
	msg := "signing in with " + e.Method.Description() + " failed: " + strings.TrimSpace(e.Err.Error())
	if advice := e.Method.advice(); advice != "" {
		msg += "\n" + advice
	}
	return msg
}

func (e *SignInError) Unwrap() error { return e.Err }

// staticToken returns the same bearer token every time, for pipelines that
// fetch a token themselves.
type staticToken string

// GetToken returns the token as is. Its expiry is unknown, so it is reported
// far ahead, and Graph's 401 tells the user when it lapsed.
func (t staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if strings.TrimSpace(string(t)) == "" {
		return azcore.AccessToken{}, errors.New("the access token is empty")
	}
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// refreshBefore is how long before expiry a cached token is replaced, so a
// token never lapses in the middle of a run of requests.
const refreshBefore = 5 * time.Minute

// cachedCredential keeps tokens until shortly before they expire.
type cachedCredential struct {
	inner azcore.TokenCredential
	// mu is held while fetching, so parallel requests start one az
	// process rather than one each.
	mu     sync.Mutex
	tokens map[string]azcore.AccessToken
}

func (c *cachedCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if opts.Claims != "" {
		// A claims challenge asks for a new token; a cached one is what
		// was just refused.
		return c.inner.GetToken(ctx, opts)
	}
	key := strings.Join(opts.Scopes, " ") + "\x00" + opts.TenantID
	c.mu.Lock()
	defer c.mu.Unlock()
	if token, ok := c.tokens[key]; ok && time.Until(token.ExpiresOn) > refreshBefore {
		return token, nil
	}
	token, err := c.inner.GetToken(ctx, opts)
	if err != nil {
		return token, err
	}
	c.tokens[key] = token
	return token, nil
}
