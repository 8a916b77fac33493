package testfakes

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
)

// GraphProxy is a reverse proxy on loopback in front of a Graph endpoint,
// standing in for the corporate proxy a custom endpoint usually is. It
// records what each request carried.
type GraphProxy struct {
	// Endpoint is the proxy's Graph service root, with the same path as
	// the endpoint behind it.
	Endpoint string
	mu       sync.Mutex
	seen     []ProxiedRequest
}

// ProxiedRequest is what one request carried.
type ProxiedRequest struct {
	Method, Path, UserAgent, Authorization string
}

// NewGraphProxy forwards to endpoint, such as the emulator's
// http://127.0.0.1:1234/v1.0.
func NewGraphProxy(t *testing.T, endpoint string) *GraphProxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &GraphProxy{}
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, ProxiedRequest{
			Method: r.Method, Path: r.URL.Path, UserAgent: r.Header.Get("User-Agent"), Authorization: r.Header.Get("Authorization"),
		})
		p.mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	p.Endpoint = server.URL + target.Path
	return p
}

// Requests returns the requests forwarded so far.
func (p *GraphProxy) Requests() []ProxiedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ProxiedRequest(nil), p.seen...)
}
