package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testGroup = "6f1c1b2e-3f4a-4b5c-8d6e-7f8091a2b3c4"

func testClient(t *testing.T, endpoint string) *client {
	t.Helper()
	u, err := ParseEndpoint(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newClient(clientOptions{endpoint: u, token: "secret-token", maxInFlight: 4, retryBase: 10 * time.Millisecond, maxRetryWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeList(w http.ResponseWriter, next string) {
	w.Header().Set("Content-Type", "application/json")
	body := `{"value":[{"id":"AAQkAGI1=","topic":"t"}]`
	if next != "" {
		body += fmt.Sprintf(`,"@odata.nextLink":%q`, next)
	}
	fmt.Fprint(w, body+"}")
}

// TestTokenGoesOnlyToTheEndpointsOrigin follows a nextLink to another
// origin (the same host on another port): the token must not go there, and
// neither may the request.
func TestTokenGoesOnlyToTheEndpointsOrigin(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		writeList(w, "")
	}))
	defer other.Close()
	var authorization atomic.Value
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authorization.Store(r.Header.Get("Authorization"))
		writeList(w, other.URL+"/v1.0/groups/"+testGroup+"/conversations?$skip=1")
	}))
	defer home.Close()

	c := testClient(t, home.URL+"/v1.0")
	page, err := c.conversationsPage(context.Background(), testGroup, pageRequest{top: 1}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := authorization.Load(); got != "Bearer secret-token" {
		t.Errorf("the endpoint got Authorization %q", got)
	}
	_, err = c.conversationsPage(context.Background(), testGroup, pageRequest{}, page.next)
	if err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("following a nextLink to another origin = %v, want a refusal", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}

	p := &originToken{token: "secret-token", origin: originOf(mustURL(t, "https://graph.microsoft.com/v1.0"))}
	for _, raw := range []string{"https://graph.microsoft.com:8443/v1.0", "http://graph.microsoft.com/v1.0", "https://graph.microsoft.com.evil.example/v1.0"} {
		if tok, _ := p.GetAuthorizationToken(context.Background(), mustURL(t, raw), nil); tok != "" {
			t.Errorf("token handed to %s", raw)
		}
	}
	if tok, _ := p.GetAuthorizationToken(context.Background(), mustURL(t, "https://GRAPH.microsoft.com:443/v1.0/groups"), nil); tok != "secret-token" {
		t.Errorf("no token for the endpoint's own origin spelt differently")
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRetries checks what is re-sent: a 429 always, after its Retry-After;
// a 503 only when the request can be repeated safely.
func TestRetries(t *testing.T) {
	t.Parallel()
	t.Run("429 waits for Retry-After", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var seen []time.Time
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, time.Now())
			first := len(seen) == 1
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"error":{"code":"ApplicationThrottled","message":"slow down"}}`)
				return
			}
			writeList(w, "")
		}))
		defer srv.Close()
		c := testClient(t, srv.URL+"/v1.0")
		if _, err := c.conversationsPage(context.Background(), testGroup, pageRequest{}, ""); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 2 {
			t.Fatalf("%d requests, want 2", len(seen))
		}
		// A lower bound only: a busy machine makes the gap longer, never
		// shorter.
		if gap := seen[1].Sub(seen[0]); gap < time.Second {
			t.Errorf("retried after %s, before Retry-After: 1", gap)
		}
		if c.meter.throttled.Load() != 1 || c.meter.requests.Load() != 2 {
			t.Errorf("meter = %d requests, %d throttled", c.meter.requests.Load(), c.meter.throttled.Load())
		}
	})
	for _, tt := range []struct {
		method string
		want   int64
	}{{http.MethodGet, 2}, {http.MethodPost, 1}} {
		t.Run("503 on "+tt.method, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if n.Add(1) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					fmt.Fprint(w, `{"error":{"code":"ServiceUnavailable","message":"busy"}}`)
					return
				}
				if r.Method == http.MethodPost {
					w.WriteHeader(http.StatusCreated)
					fmt.Fprint(w, `{"id":"AAQkAGI1=","threads":[{"id":"AAQkAGI2="}]}`)
					return
				}
				writeList(w, "")
			}))
			defer srv.Close()
			c := testClient(t, srv.URL+"/v1.0")
			var err error
			if tt.method == http.MethodGet {
				_, err = c.conversationsPage(context.Background(), testGroup, pageRequest{}, "")
			} else {
				_, _, err = c.createConversation(context.Background(), testGroup, "t", body{"text", "x"}, nil)
			}
			if got := n.Load(); got != tt.want {
				t.Errorf("%d requests, want %d (err %v)", got, tt.want, err)
			}
			if tt.method == http.MethodPost && statusOf(err) != http.StatusServiceUnavailable {
				t.Errorf("POST after a 503 = %v, want the 503", err)
			}
		})
	}
	t.Run("a Retry-After beyond the longest wait is not waited for", func(t *testing.T) {
		t.Parallel()
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"code":"ApplicationThrottled","message":"later"}}`)
		}))
		defer srv.Close()
		c := testClient(t, srv.URL+"/v1.0")
		_, err := c.conversationsPage(context.Background(), testGroup, pageRequest{}, "")
		if statusOf(err) != http.StatusTooManyRequests || n.Load() != 1 {
			t.Errorf("got %v after %d requests, want the 429 after 1", err, n.Load())
		}
	})
}

// TestAtMostFourInFlight holds every request open and counts how many
// arrive at once.
func TestAtMostFourInFlight(t *testing.T) {
	t.Parallel()
	var inFlight, most atomic.Int64
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		inFlight.Add(-1)
		writeList(w, "")
	}))
	defer srv.Close()
	c := testClient(t, srv.URL+"/v1.0")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := c.conversationsPage(context.Background(), testGroup, pageRequest{}, ""); err != nil {
				t.Error(err)
			}
		})
	}
	deadline := time.Now().Add(20 * time.Second)
	for inFlight.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	// Give a fifth request the chance to arrive if the limit were broken.
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if got := most.Load(); got != 4 {
		t.Errorf("at most %d requests in flight, want 4", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, want, err string
	}{
		{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/v1.0", ""},
		{"https://graph.microsoft.us/v1.0/", "https://graph.microsoft.us/v1.0", ""},
		{"http://127.0.0.1:8080/v1.0", "http://127.0.0.1:8080/v1.0", ""},
		{"http://localhost:8080/v1.0", "http://localhost:8080/v1.0", ""},
		{"http://graph.microsoft.com/v1.0", "", "must use https"},
		{"https://graph.microsoft.com/beta", "", "must end in /v1.0"},
		{"https://user:pw@graph.microsoft.com/v1.0", "", "without credentials"},
		{"https://graph.microsoft.com/v1.0?x=1", "", "without credentials"},
		{"ftp://graph.microsoft.com/v1.0", "", "must use https"},
	}
	for _, tt := range tests {
		u, err := ParseEndpoint(tt.raw)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseEndpoint(%q) = %v, want an error containing %q", tt.raw, err, tt.err)
		case tt.err == "" && (err != nil || u.String() != tt.want):
			t.Errorf("ParseEndpoint(%q) = %v, %v, want %s", tt.raw, u, err, tt.want)
		}
	}
}
