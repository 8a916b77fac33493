package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// federatedTokenAudience is the audience Microsoft Entra expects in a token
// it exchanges, unless the federated credential says otherwise; then put
// "audience=…" in oidc_request_url. The azuread provider asks for the same.
const federatedTokenAudience = "api://AzureADTokenExchange"

// requestOIDCToken asks a CI system for an ID token to exchange with Microsoft
// Entra: the GitHub Actions protocol, a GET of the request URL with the
// request token as bearer, answered with {"value": "<jwt>"}. azidentity has
// no credential for it (its AzurePipelinesCredential speaks Azure DevOps's
// protocol).
func requestOIDCToken(ctx context.Context, transport policy.Transporter, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", AttrOIDCRequestURL)
	}
	query := u.Query()
	if query.Get("audience") == "" {
		query.Set("audience", federatedTokenAudience)
		u.RawQuery = query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), http.NoBody)
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token from %s: %w", u.Host, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+requestToken)
	resp, err := sameOriginRedirects(transport).Do(req)
	if err != nil {
		// net/http names the URL in its error; the request token is in a
		// header, never in the URL.
		return "", fmt.Errorf("requesting an OIDC token from %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token from %s: %w", u.Host, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// The body is left out: an identity service's answer is not ours
		// to copy into logs.
		return "", fmt.Errorf("requesting an OIDC token from %s: HTTP status %d; check %s and %s",
			u.Host, resp.StatusCode, AttrOIDCRequestToken, AttrOIDCRequestURL)
	}
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || strings.TrimSpace(answer.Value) == "" {
		return "", fmt.Errorf("requesting an OIDC token from %s: the answer holds no token", u.Host)
	}
	return answer.Value, nil
}

// sameOriginRedirects returns the client that sends the OIDC token request:
// one that follows a redirect only within the request URL's origin (scheme,
// host and port). net/http would carry the Authorization header, and so the
// request token, to another port of the same host, and from https to plain
// http. A transport that is not an *http.Client follows no redirects of its
// own and is used as it is.
func sameOriginRedirects(transport policy.Transporter) policy.Transporter {
	var client http.Client
	switch t := transport.(type) {
	case nil:
		client = http.Client{Timeout: 30 * time.Second}
	case *http.Client:
		client = *t
	default:
		return transport
	}
	followOther := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if from, to := originOf(via[0].URL), originOf(req.URL); from != to {
			return fmt.Errorf("refusing to follow a redirect from %s to %s: the request carries %s, which goes to the origin of %s only",
				from, to, AttrOIDCRequestToken, AttrOIDCRequestURL)
		}
		if followOther != nil {
			return followOther(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &client
}

// originOf is a URL's scheme, host and port, the port spelled out when the
// URL leaves it to the scheme.
func originOf(u *url.URL) string {
	port := u.Port()
	switch {
	case port != "":
	case strings.EqualFold(u.Scheme, "https"):
		port = "443"
	default:
		port = "80"
	}
	return strings.ToLower(u.Scheme) + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
