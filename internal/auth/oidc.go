package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	if transport == nil {
		transport = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := transport.Do(req)
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
