package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
)

// tokenProvider hands msgraph-sdk-go a token for exactly one origin: the
// configured Graph endpoint's scheme, host and port. kiota's allowed-hosts
// check compares host names only, so it would hand the token to another port
// of the endpoint's host, or over plain http to an https endpoint's host, if
// a nextLink or a redirect pointed there; and kiota's Azure provider would
// refuse plain http on 127.0.0.2 and other loopback addresses that
// ParseEndpoint allows. This keeps the rule in one place.
type tokenProvider struct {
	credential azcore.TokenCredential
	scopes     []string
	origin     origin
	// hosts is the endpoint's host, for kiota's interface; GetAuthorizationToken
	// decides by origin.
	hosts *absauth.AllowedHostsValidator
	// handedOut remembers the tokens handed out, so that texts from Graph
	// that repeat one can have it cut out (see redact).
	handedOut *recentTokens
}

func newTokenProvider(credential azcore.TokenCredential, scopes []string, endpoint *url.URL) (*tokenProvider, error) {
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{endpoint.Hostname()})
	if err != nil {
		return nil, err
	}
	o := originOf(endpoint)
	if !o.valid() {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", endpoint.Redacted())
	}
	return &tokenProvider{credential: credential, scopes: scopes, origin: o, hosts: hosts, handedOut: &recentTokens{}}, nil
}

func (p *tokenProvider) GetAuthorizationToken(ctx context.Context, u *url.URL, _ map[string]any) (string, error) {
	if originOf(u) != p.origin {
		// Never hand the token to another origin than the configured
		// endpoint, for example a redirect target or a nextLink pointing
		// elsewhere: not another port, not plain http.
		return "", nil
	}
	token, err := p.credential.GetToken(ctx, tokenRequest(p.scopes))
	if err != nil {
		return "", err
	}
	p.handedOut.add(token.Token)
	return token.Token, nil
}

func (p *tokenProvider) GetAllowedHostsValidator() *absauth.AllowedHostsValidator {
	return p.hosts
}

// recentTokens holds the last few distinct tokens handed out (a token is
// renewed about hourly, so a run rarely sees more than two).
type recentTokens struct {
	mu     sync.Mutex
	tokens []string
}

const rememberedTokens = 4

func (r *recentTokens) add(token string) {
	if len(token) < minRedactedTokenLength {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if slices.Contains(r.tokens, token) {
		return
	}
	r.tokens = append(r.tokens, token)
	if len(r.tokens) > rememberedTokens {
		r.tokens = r.tokens[1:]
	}
}

// redact cuts every token handed out from s.
func (r *recentTokens) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, token := range r.tokens {
		s = strings.ReplaceAll(s, token, redacted)
	}
	return s
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
