package graph

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	_, _ = z.Write([]byte(s))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The provider asks for gzip, as Graph can then send a tenth of the bytes,
// and inflates what comes back itself, so that both sizes are bounded.
func TestGzipAnswersAreInflated(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			writeJSON(w, 400, `{"error":{"code":"NoGzip","message":"gzip was not asked for"}}`)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/conversations"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(gzipped(t, `{"value":[{"id":"AAQkAD1=","topic":"one"},{"id":"AAQkAD2=","topic":"two"}]}`))
		default:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(gzipped(t, `{"error":{"code":"ErrorItemNotFound","message":"gone"}}`))
		}
	})
	c := hostileClient(t, s.endpoint, nil)
	ctx := hostileContext(t, 10*time.Second)
	got, err := c.ListConversations(ctx, hostileGroup)
	if err != nil || len(got) != 2 || got[1].Topic != "two" {
		t.Fatalf("listed %+v, %v", got, err)
	}
	_, err = c.GetConversation(ctx, hostileGroup, hostileConvID)
	var ge *Error
	if !IsNotFound(err) || !asError(err, &ge) || ge.Code != "ErrorItemNotFound" {
		t.Fatalf("a gzip error body: %v", err)
	}
	if err := c.DeleteConversation(ctx, hostileGroup, hostileConvID); err != nil {
		t.Fatalf("an empty gzip 204: %v", err)
	}
}

func TestAnswersTheGuardRefuses(t *testing.T) {
	t.Parallel()
	answers := map[string]struct {
		answer func(w http.ResponseWriter)
		want   string
	}{
		"unasked encoding": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "br")
			writeJSON(w, 200, `{"id":"AAQkADhostile="}`)
		}, `encoded with "br"`},
		"broken gzip": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			writeJSON(w, 200, `{"id":"AAQkADhostile="}`)
		}, "Graph's answer (HTTP 200) is gzip-encoded but cannot be inflated"},
		"HTML": {func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>Sign in</html>"))
		}, "Graph answered HTTP 200 with text/html, not JSON"},
		"no content type": {func(w http.ResponseWriter) {
			w.Header()["Content-Type"] = nil
			_, _ = w.Write([]byte(`{"id":"AAQkADhostile="}`))
		}, "with a body of no declared type, not JSON"},
		"201 to a GET": {func(w http.ResponseWriter) { writeJSON(w, 201, `{"id":"AAQkADhostile="}`) },
			"Graph answered a GET with HTTP 201"},
		"304": {func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotModified) }, "redirect (HTTP 304 to nowhere)"},
	}
	for name, tt := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { tt.answer(w) })
			_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
			wantFailure(t, err, FailureBadAnswer, tt.want)
		})
	}
}

// A connection that breaks in the middle of an answer is an answer lost,
// not one refused.
func TestAnswerCutOffMidBody(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(`{"id":"AAQkADhostile=","topic":"`))
	})
	_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
	wantFailure(t, err, FailureNoAnswer, "Graph's answer (HTTP 200) broke off before its end")
}

// An error page that is not Graph's JSON keeps its status: a 502 from a
// gateway is still a 502, which a create must treat as a lost answer.
func TestHTMLErrorPagesKeepTheirStatus(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	})
	_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
	if StatusCode(err) != http.StatusBadGateway || FailureOf(err) != "" {
		t.Fatalf("want Graph's 502, got %v (failure %q)", err, FailureOf(err))
	}
}

func TestGuardRefusesRequests(t *testing.T) {
	t.Parallel()
	endpoint, _ := url.Parse("https://graph.microsoft.com/v1.0")
	guard := newAnswerGuard(endpoint)
	tests := map[string]string{
		"https://graph.microsoft.com/v1.0/groups/g/conversations":            "",
		"https://graph.microsoft.com:443/v1.0/groups/g/conversations":        "",
		"https://GRAPH.microsoft.com/v1.0/groups?$filter=a%20eq%20'b'":       "",
		"https://graph.microsoft.com/v1.0/groups/g/conversations/a%2F..%2Fb": "",
		"https://graph.microsoft.com:8443/v1.0/groups":                       "not on the configured endpoint",
		"http://graph.microsoft.com/v1.0/groups":                             "not on the configured endpoint",
		"https://graph.microsoft.us/v1.0/groups":                             "not on the configured endpoint",
		"file:///etc/passwd":                                                 "not an absolute URL",
		"ftp://graph.microsoft.com/v1.0/groups":                              "only http and https are used",
		"https://graph.microsoft.com/v1.0/groups/g/conversations/..":         `the path segment ".." is not a name or an id`,
		"https://graph.microsoft.com/v1.0/groups/g/conversations/.":          `the path segment "." is not a name or an id`,
		"https://graph.microsoft.com/v1.0/groups/%2E%2e/conversations":       `the path segment "%2E%2e"`,
		"https://graph.microsoft.com/v1.0/groups//conversations":             `the path segment ""`,
		"https://graph.microsoft.com/v1.0/groups/g/conversations/":           `the path segment ""`,
	}
	for raw, want := range tests {
		req, err := http.NewRequest(http.MethodDelete, raw, http.NoBody)
		if err != nil {
			t.Fatal(err)
		}
		err = guard.checkRequest(req, "")
		switch {
		case want == "" && err != nil:
			t.Errorf("%s refused: %v", raw, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want) || FailureOf(err) != FailureRefused):
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

// An error body is re-encoded before the token is cut out of it only when it
// holds escapes; what kiota reads from it stays the same.
func TestUnescapeJSON(t *testing.T) {
	t.Parallel()
	got, err := unescapeJSON([]byte(`{"error":{"code":"Bad\u0052equest","message":"a \"quoted\" \u003cb\u003e\\ line\nnext","n":12345678901234567890,"innerError":{"date":"2026-12-05T04:00:00"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"error":{"code":"BadRequest","innerError":{"date":"2026-12-05T04:00:00"},"message":"a \"quoted\" <b>\\ line\nnext","n":12345678901234567890}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	for _, broken := range []string{`{"a":"\u00"}`, `{"a":`, `\u0041`} {
		if _, err := unescapeJSON([]byte(broken)); err == nil {
			t.Errorf("%s was taken as JSON", broken)
		}
	}
}
