package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const canaryRequestToken = "oidc-request-token-canary-8c1f"

// tokenIssuer is a CI system's token endpoint that records the request
// tokens it was sent.
type tokenIssuer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newTokenIssuer(t *testing.T, tls bool) *tokenIssuer {
	t.Helper()
	issuer := &tokenIssuer{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		issuer.mu.Lock()
		issuer.seen = append(issuer.seen, r.Header.Get("Authorization"))
		issuer.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":"eyJ.issued.token"}`))
	})
	if tls {
		issuer.Server = httptest.NewTLSServer(handler)
	} else {
		issuer.Server = httptest.NewServer(handler)
	}
	t.Cleanup(issuer.Close)
	return issuer
}

func (i *tokenIssuer) sawRequestToken() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, authorization := range i.seen {
		if strings.Contains(authorization, canaryRequestToken) {
			return true
		}
	}
	return false
}

// redirector answers every request with a 307 to target.
func redirector(t *testing.T, tls bool, target func(r *http.Request) string) *httptest.Server {
	t.Helper()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target(r), http.StatusTemporaryRedirect)
	})
	var server *httptest.Server
	if tls {
		server = httptest.NewTLSServer(handler)
	} else {
		server = httptest.NewServer(handler)
	}
	t.Cleanup(server.Close)
	return server
}

func oidcContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Issue 14, row 8: a redirect of the OIDC token request to another port of
// the same host, or from https to http, delivered ARM_OIDC_REQUEST_TOKEN
// there: net/http forwards the Authorization header to the same host name.
func TestOIDCRequestTokenIsNotRedirectedToAnotherPort(t *testing.T) {
	t.Parallel()
	elsewhere := newTokenIssuer(t, false)
	start := redirector(t, false, func(r *http.Request) string { return elsewhere.URL + r.URL.RequestURI() })
	_, err := requestOIDCToken(oidcContext(t), nil, start.URL+"/idtoken", canaryRequestToken)
	if elsewhere.sawRequestToken() {
		t.Fatal("the OIDC request token followed a redirect to another port")
	}
	if err == nil || !strings.Contains(err.Error(), "refusing to follow a redirect") {
		t.Fatalf("want the redirect refused, got %v", err)
	}
	if strings.Contains(err.Error(), canaryRequestToken) {
		t.Fatalf("the error carries the request token: %v", err)
	}
}

func TestOIDCRequestTokenIsNotRedirectedFromHTTPSToHTTP(t *testing.T) {
	t.Parallel()
	plain := newTokenIssuer(t, false)
	start := redirector(t, true, func(r *http.Request) string { return plain.URL + r.URL.RequestURI() })
	// The caller's client trusts the test certificate; its redirects are
	// checked all the same.
	_, err := requestOIDCToken(oidcContext(t), start.Client(), start.URL+"/idtoken", canaryRequestToken)
	if plain.sawRequestToken() {
		t.Fatal("the OIDC request token went out over plain http")
	}
	if err == nil {
		t.Fatal("want the redirect refused")
	}
}

// A redirect within the request URL's origin is followed, with the token.
func TestOIDCRequestFollowsRedirectsWithinItsOrigin(t *testing.T) {
	t.Parallel()
	issuer := newTokenIssuer(t, false)
	mux := http.NewServeMux()
	mux.HandleFunc("/idtoken", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v2/idtoken?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	})
	mux.Handle("/v2/", issuer.Config.Handler)
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	token, err := requestOIDCToken(oidcContext(t), nil, server.URL+"/idtoken", canaryRequestToken)
	if err != nil || token != "eyJ.issued.token" {
		t.Fatalf("token %q, %v", token, err)
	}
	if !issuer.sawRequestToken() {
		t.Fatal("the issuer did not get the request token")
	}
}
