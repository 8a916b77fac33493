package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
)

// StaticToken is a credential that always returns the same bearer token, for
// pipelines that fetch a delegated token themselves. It satisfies
// azcore.TokenCredential so it plugs into the same place as azidentity's
// credentials.
type StaticToken string

// GetToken returns the token as is. Its expiry is unknown to us, so it is
// reported far in the future and Graph's 401 tells the user when it lapsed.
func (t StaticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if strings.TrimSpace(string(t)) == "" {
		return azcore.AccessToken{}, errors.New("the access token is empty")
	}
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(24 * time.Hour)}, nil
}

// tokenProvider hands msgraph-sdk-go a token for exactly one host: the
// configured Graph endpoint. kiota's Azure provider would also refuse plain
// http on 127.0.0.2 and other loopback addresses that ParseEndpoint allows,
// and it silently sends no token to a host outside its list; this keeps the
// rule in one place.
type tokenProvider struct {
	credential azcore.TokenCredential
	scopes     []string
	hosts      *absauth.AllowedHostsValidator
}

func newTokenProvider(credential azcore.TokenCredential, scopes []string, endpoint *url.URL) (*tokenProvider, error) {
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{endpoint.Hostname()})
	if err != nil {
		return nil, err
	}
	return &tokenProvider{credential: credential, scopes: scopes, hosts: hosts}, nil
}

func (p *tokenProvider) GetAuthorizationToken(ctx context.Context, u *url.URL, _ map[string]any) (string, error) {
	if !p.hosts.IsUrlHostValid(u) {
		// Never hand the token to a host other than the configured endpoint,
		// for example a redirect target or a nextLink pointing elsewhere.
		return "", nil
	}
	token, err := p.credential.GetToken(ctx, tokenRequest(p.scopes))
	if err != nil {
		return "", err
	}
	return token.Token, nil
}

func (p *tokenProvider) GetAllowedHostsValidator() *absauth.AllowedHostsValidator {
	return p.hosts
}

func tokenRequest(scopes []string) policy.TokenRequestOptions {
	return policy.TokenRequestOptions{Scopes: scopes}
}

// tokenClaims are the JWT claims that tell a delegated token from an
// application (client credentials) token.
type tokenClaims struct {
	IDType string   `json:"idtyp"`
	Scopes string   `json:"scp"`
	Roles  []string `json:"roles"`
}

// isAppOnlyToken reports whether a bearer token was issued to an application
// rather than a signed-in user. The signature is not checked: the answer only
// chooses the wording of an error message. ok is false when the token is not
// a readable JWT.
func isAppOnlyToken(token string) (appOnly bool, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return false, false
	}
	var claims tokenClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return false, false
	}
	if claims.IDType != "" {
		return claims.IDType == "app", true
	}
	return claims.Scopes == "" && len(claims.Roles) > 0, true
}
