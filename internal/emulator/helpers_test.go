package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// inflightFor reports how many requests hold a slot of the group's mailbox.
func (s *Server) inflightFor(groupID string) int {
	s.inflightMu.Lock()
	defer s.inflightMu.Unlock()
	return s.inflight[strings.ToLower(groupID)]
}

const (
	aliceToken = "alice-token"
	bobToken   = "bob-token"
	appToken   = "app-token"
)

var (
	alice    = Principal{DisplayName: "Alice Adams", Address: "alice@contoso.example"}
	bob      = Principal{DisplayName: "Bob Brown", Address: "bob@contoso.example"}
	robotApp = Principal{DisplayName: "Robot App", Address: "robot@contoso.example", AppOnly: true}
)

// fixture is a server on an httptest listener with two Microsoft 365 groups
// and one security group.
type fixture struct {
	t        *testing.T
	srv      *Server
	hs       *httptest.Server
	base     string // http://127.0.0.1:PORT/v1.0
	team     Group  // Unified
	other    Group  // Unified, for cross-mailbox checks
	security Group  // no mailbox
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	if opts.Tokens == nil {
		opts.Tokens = map[string]Principal{aliceToken: alice, bobToken: bob, appToken: robotApp}
	}
	srv := New(opts)
	f := &fixture{
		t:   t,
		srv: srv,
		team: srv.AddGroup(Group{DisplayName: "Fixture Team", MailNickname: "fixtureteam", Mail: "fixtureteam@contoso.example",
			GroupTypes: []string{"Unified"}, MailEnabled: true}),
		other: srv.AddGroup(Group{DisplayName: "Other Team", MailNickname: "otherteam", Mail: "otherteam@contoso.example",
			GroupTypes: []string{"Unified"}, MailEnabled: true}),
		security: srv.AddGroup(Group{DisplayName: "Fixture Security", MailNickname: "fixturesecurity", SecurityEnabled: true}),
	}
	f.hs = httptest.NewServer(srv)
	f.base = f.hs.URL + "/v1.0"
	t.Cleanup(func() {
		f.hs.Close()
		if n := srv.panics.Load(); n != 0 {
			t.Errorf("the recover middleware caught %d panic(s), last: %v", n, srv.lastPanic.Load())
		}
	})
	return f
}

// request describes one call; the zero value is an authenticated GET as Alice.
type request struct {
	method string
	path   string // relative to /v1.0, or an absolute URL
	body   any    // nil, string, []byte, or a value to marshal
	token  *string
	header map[string]string
	gzip   bool
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func tokenOf(s string) *string { return &s }

func (f *fixture) do(req request) response {
	f.t.Helper()
	if req.method == "" {
		req.method = http.MethodGet
	}
	url := req.path
	if !strings.HasPrefix(url, "http") {
		url = f.base + req.path
	}
	var payload []byte
	switch b := req.body.(type) {
	case nil:
	case string:
		payload = []byte(b)
	case []byte:
		payload = b
	default:
		var err error
		if payload, err = json.Marshal(b); err != nil {
			f.t.Fatalf("marshal request body: %v", err)
		}
	}
	if req.gzip {
		payload = gzipBytes(f.t, payload)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, url, body)
	if err != nil {
		f.t.Fatalf("build request: %v", err)
	}
	token := aliceToken
	if req.token != nil {
		token = *req.token
	}
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	if payload != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.gzip {
		hr.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := f.hs.Client().Do(hr)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("read response: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// object decodes the body as a JSON object.
func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d: body is not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

// values decodes the value array of a collection.
func (r response) values(t *testing.T) []map[string]any {
	t.Helper()
	raw, ok := r.object(t)["value"].([]any)
	if !ok {
		t.Fatalf("no value array in %s", r.body)
	}
	out := make([]map[string]any, 0, len(raw))
	for _, v := range raw {
		out = append(out, v.(map[string]any))
	}
	return out
}

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}

// wantStatus fails the test when the status differs and shows the body.
func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.status, status, r.body)
	}
}

// wantError checks the status and the error code of an envelope.
func wantError(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	wantStatus(t, r, status)
	env := r.object(t)
	e, ok := env["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	if e["code"] != code {
		t.Fatalf("error code = %v, want %s; body: %s", e["code"], code, r.body)
	}
	return e
}

func newConversationBody(topic, contentType, content string) map[string]any {
	return map[string]any{
		"topic": topic,
		"threads": []any{map[string]any{
			"posts": []any{map[string]any{
				"@odata.type": "#microsoft.graph.post",
				"body":        map[string]any{"contentType": contentType, "content": content},
			}},
		}},
	}
}

// createConversation creates a conversation through Graph as Alice and
// returns its id and its thread's id.
func (f *fixture) createConversation(groupID, topic string) (conversationID, threadID string) {
	f.t.Helper()
	r := f.do(request{method: http.MethodPost, path: "/groups/" + groupID + "/conversations", body: newConversationBody(topic, "html", "<p>"+topic+"</p>")})
	wantStatus(f.t, r, http.StatusCreated)
	m := r.object(f.t)
	threads := m["threads"].([]any)
	return m["id"].(string), threads[0].(map[string]any)["id"].(string)
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
