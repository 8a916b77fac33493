package graph

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator/emulatortest"
)

// The shared test emulator's tokens (emulatortest), by the names this
// package's tests use.
const (
	testToken    = emulatortest.UserToken
	testAppToken = emulatortest.AppToken
	testUserName = emulatortest.UserName
)

// testEnv is the shared test emulator (emulatortest.Start: those tokens, a
// Microsoft 365 group and a security group, closed when the test ends), with
// the ways this package's tests build Graph clients for it.
type testEnv struct {
	server        *emulator.Server
	endpoint      string
	group         emulator.Group
	securityGroup emulator.Group
}

func newTestEnv(t *testing.T, opts emulator.Options) *testEnv {
	t.Helper()
	e := emulatortest.Start(t, opts)
	return &testEnv{server: e.Server, endpoint: e.Endpoint, group: e.Group, securityGroup: e.SecurityGroup}
}

// client builds a Client through the real msgraph-sdk-go stack.
func (e *testEnv) client(t *testing.T, token string, transport http.RoundTripper) *Client {
	t.Helper()
	return e.clientWith(t, Options{Credential: StaticToken(token), Transport: transport})
}

// clientWith fills in the endpoint, a user agent and short delays.
func (e *testEnv) clientWith(t *testing.T, opts Options) *Client {
	t.Helper()
	opts.Endpoint = e.endpoint
	opts.UserAgent = "terraform-provider-msgraph/1.2.3"
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = 20 * time.Millisecond
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var exchangeID = regexp.MustCompile(`^[A-Za-z0-9_-]+={1,2}$`)

func TestConversationLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)

	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{
		Topic:           "Kickoff",
		Body:            ItemBody{ContentType: "html", Content: "<p>Agenda <b>inside</b>.</p>"},
		NewParticipants: []Recipient{{Name: "Adele Vance", Address: "adele@contoso.com"}, {Address: "lee@contoso.com"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !exchangeID.MatchString(created.ID) || !exchangeID.MatchString(created.ThreadID) {
		t.Fatalf("ids do not look like Exchange ids: %+v", created)
	}

	got, err := c.GetConversation(ctx, env.group.ID, created.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.ID != created.ID || got.Topic != "Kickoff" || got.Preview != "Agenda inside." || got.HasAttachments ||
		len(got.UniqueSenders) != 1 || got.UniqueSenders[0] != testUserName || got.LastDeliveredDateTime.IsZero() {
		t.Fatalf("unexpected conversation: %+v", got)
	}

	threadID, post, err := c.FirstPost(ctx, env.group.ID, created.ID)
	if err != nil {
		t.Fatalf("first post: %v", err)
	}
	if threadID != created.ThreadID || post.Body.ContentType != "html" || !strings.Contains(post.Body.Content, "<p>Agenda <b>inside</b>.</p>") {
		t.Fatalf("unexpected first post in thread %s: %+v", threadID, post)
	}
	if len(post.NewParticipants) != 2 || post.NewParticipants[0] != (Recipient{Name: "Adele Vance", Address: "adele@contoso.com"}) ||
		post.NewParticipants[1].Address != "lee@contoso.com" {
		t.Fatalf("unexpected participants: %+v", post.NewParticipants)
	}

	if err := c.DeleteConversation(ctx, env.group.ID, created.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetConversation(ctx, env.group.ID, created.ID); !IsNotFound(err) {
		t.Fatalf("get after delete: want a 404, got %v", err)
	}
	if err := c.DeleteConversation(ctx, env.group.ID, created.ID); !IsNotFound(err) {
		t.Fatalf("second delete: want a 404, got %v", err)
	}
}

func TestErrorsCarryGraphDetails(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)

	tests := []struct {
		name           string
		conversationID string
		wantStatus     int
		wantCode       string
	}{
		{"unknown id", "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=", 404, "ErrorItemNotFound"},
		{"malformed id", "not*an*id", 400, "ErrorInvalidIdMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.GetConversation(ctx, env.group.ID, tt.conversationID)
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("want *Error, got %T %v", err, err)
			}
			if ge.StatusCode != tt.wantStatus || ge.Code != tt.wantCode || ge.Message == "" {
				t.Fatalf("got status %d code %q message %q", ge.StatusCode, ge.Code, ge.Message)
			}
			if !regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(ge.RequestID) || ge.ClientRequestID == "" {
				t.Fatalf("missing request ids: %+v", ge)
			}
			if !strings.Contains(ge.Error(), ge.RequestID) {
				t.Fatalf("Error() does not name the request-id: %s", ge.Error())
			}
		})
	}
}

func TestWaitForConversationOutlastsInvisibility(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{InvisibleFor: 500 * time.Millisecond})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "late", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetConversation(ctx, env.group.ID, created.ID); !IsNotFound(err) {
		t.Fatalf("the emulator should hide a new conversation; got %v", err)
	}
	got, err := c.WaitForConversation(ctx, env.group.ID, created.ID)
	if err != nil || got.ID != created.ID {
		t.Fatalf("wait: %+v, %v", got, err)
	}
}

func TestWaitForConversationGivesUpAtDeadline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.WaitForConversation(ctx, env.group.ID, "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=")
	// The wait stops before a sleep that would outlive the deadline and
	// reports Graph's last 404 with the number of reads; on a loaded machine
	// the deadline can instead end a read in flight. Either way it gives up,
	// after reading more than once.
	switch {
	case IsNotFound(err):
		if !strings.Contains(err.Error(), "reads") {
			t.Fatalf("a 404 that does not name the reads made: %v", err)
		}
	case !errors.Is(err, context.DeadlineExceeded):
		t.Fatalf("want a 404 or the deadline, got %v", err)
	}
	if reads := env.server.Counters()["conversations.get"]; reads < 2 {
		t.Fatalf("gave up after %d reads; the wait did not retry", reads)
	}
}

// throttledThenForward answers the first n requests matching method with a
// canned status and Retry-After, then lets requests through.
type faultTransport struct {
	method     string
	status     int
	retryAfter string
	remaining  atomic.Int32
	// forwardFirst sends the request on before answering with the fault,
	// as when a gateway times out after the service acted.
	forwardFirst bool
	seen         atomic.Int32
}

func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != f.method || f.remaining.Add(-1) < 0 {
		return http.DefaultTransport.RoundTrip(req)
	}
	f.seen.Add(1)
	if f.forwardFirst {
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}, "Request-Id": {"11111111-2222-4333-8444-555555555555"}}
	if f.retryAfter != "" {
		h.Set("Retry-After", f.retryAfter)
	}
	body := `{"error":{"code":"ApplicationThrottled","message":"injected"}}`
	return &http.Response{StatusCode: f.status, Header: h, Body: io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: req}, nil
}

// A POST whose answer is lost (503 after the service acted) must not be sent
// again: that is how duplicates are made. The conversation Graph did create
// is found and adopted instead.
func TestCreateAdoptsWhatALostAnswerCreated(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	fault := &faultTransport{method: http.MethodPost, status: 503, forwardFirst: true}
	fault.remaining.Store(1)
	c := env.client(t, testToken, fault)
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{Topic: "once", Body: ItemBody{Content: "<p>x</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 1 || stored[0].ID != created.ID || created.ThreadID != stored[0].ThreadIDs[0] {
		t.Fatalf("want the one stored conversation adopted; created %+v, stored %+v", created, stored)
	}
	if n := env.server.Counters()["conversations.create"]; n != 1 {
		t.Fatalf("the create was sent %d times", n)
	}
}

func TestCreateAdoptsAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	// The dropped create also stays invisible for a while, so the search
	// has to outlast the window rather than give up and create again.
	env := newTestEnv(t, emulator.Options{InvisibleFor: 400 * time.Millisecond, Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), VisibilityGrace: 3 * time.Second})
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{
		Topic: "dropped", Body: ItemBody{ContentType: "text", Content: "x"}, NewParticipants: []Recipient{{Address: "Adele@contoso.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 1 || stored[0].ID != created.ID {
		t.Fatalf("want the dropped create adopted; created %+v, stored %d", created, len(stored))
	}
	counters := env.server.Counters()
	if counters["conversations.create"] != 1 || counters["faults.dropped"] != 1 {
		t.Fatalf("counters %v", counters)
	}
}

// A lost answer for a create Graph never applied leads, after the
// visibility grace, to one more create: nothing is lost either.
func TestCreateResendsWhenNothingWasCreated(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	fault := &faultTransport{method: http.MethodPost, status: 502}
	fault.remaining.Store(1)
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: fault, VisibilityGrace: 200 * time.Millisecond})
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{Topic: "again", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 1 || stored[0].ID != created.ID || fault.seen.Load() != 1 {
		t.Fatalf("want exactly one conversation after one lost create; stored %d, faults %d", len(stored), fault.seen.Load())
	}
	if counters := env.server.Counters(); counters["conversations.list"] == 0 {
		t.Fatalf("the group was never searched before creating again: %v", counters)
	}
}

// Two identical creates whose answers are both lost must not adopt the same
// conversation: each gets its own.
func TestLostCreatesDoNotShareAConversation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), VisibilityGrace: 500 * time.Millisecond})
	ctx := testContext(t)
	in := NewConversation{Topic: "twin", Body: ItemBody{Content: "<p>same</p>"}}
	ids := make(chan string, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			created, err := c.CreateConversation(ctx, env.group.ID, in)
			if err != nil {
				t.Error(err)
			}
			ids <- created.ID
		}()
	}
	wg.Wait()
	close(ids)
	a, b := <-ids, <-ids
	if a == b || len(env.server.Conversations(env.group.ID)) != 2 {
		t.Fatalf("ids %q and %q; stored %d", a, b, len(env.server.Conversations(env.group.ID)))
	}
}

// A create refused outright (4xx) is not searched for or resent.
func TestCreateDoesNotReconcileRefusals(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	_, err := c.CreateConversation(testContext(t), env.securityGroup.ID, NewConversation{Topic: "t", Body: ItemBody{Content: "x"}})
	if StatusCode(err) != 404 {
		t.Fatalf("want the 404, got %v", err)
	}
	if counters := env.server.Counters(); counters["conversations.create"] != 1 || counters["conversations.list"] != 0 {
		t.Fatalf("counters %v", counters)
	}
}

// An error body without error.message makes ODataError.Error() panic in
// msgraph-sdk-go; the conversion must not.
func TestOddErrorBodiesDoNotPanic(t *testing.T) {
	t.Parallel()
	bodies := []string{`{"foo":1}`, `{}`, `{"error":{}}`, ``, `not json`}
	for _, body := range bodies {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				h := http.Header{}
				if body != "" {
					h.Set("Content-Type", "application/json")
				}
				return &http.Response{StatusCode: 500, Header: h, Body: io.NopCloser(strings.NewReader(body)),
					ContentLength: int64(len(body)), Request: req}, nil
			})
			c, err := NewClient(Options{Endpoint: "http://127.0.0.1:1/v1.0", Credential: StaticToken("t"), Transport: transport})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetConversation(testContext(t), "g", "AAQkAGI2=")
			if err == nil {
				t.Fatal("want an error")
			}
			_ = err.Error() // must not panic
			if StatusCode(err) != 500 && !strings.Contains(err.Error(), "read conversation") {
				t.Fatalf("unexpected error %v", err)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRequestsCarryUserAgentAndToken(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	var ua, auth string
	transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		ua, auth = req.Header.Get("User-Agent"), req.Header.Get("Authorization")
		return http.DefaultTransport.RoundTrip(req)
	})
	c := env.client(t, testToken, transport)
	if _, err := c.GetGroup(testContext(t), env.group.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ua, "terraform-provider-msgraph/1.2.3") || auth != "Bearer "+testToken {
		t.Fatalf("User-Agent %q, Authorization present %v", ua, auth != "")
	}
}

func TestTokenGoesOnlyToTheEndpointHost(t *testing.T) {
	t.Parallel()
	endpoint, _ := url.Parse("https://graph.microsoft.com/v1.0")
	p, err := newTokenProvider(StaticToken("secret"), []string{"https://graph.microsoft.com/.default"}, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]string{
		"https://graph.microsoft.com/v1.0/groups":     "secret",
		"https://graph.microsoft.com:443/v1.0/groups": "secret",
		"https://evil.example.com/v1.0/groups":        "",
		"https://graph.microsoft.us/v1.0/groups":      "",
		// Same host, other port or plain http: another program, or the
		// token in clear text.
		"https://graph.microsoft.com:8443/v1.0/groups": "",
		"http://graph.microsoft.com/v1.0/groups":       "",
		"http://graph.microsoft.com:443/v1.0/groups":   "",
	} {
		u, _ := url.Parse(raw)
		got, err := p.GetAuthorizationToken(context.Background(), u, nil)
		if err != nil || got != want {
			t.Errorf("token for %s = %q, %v; want %q", raw, got, err, want)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "https://graph.microsoft.com/v1.0", want: "https://graph.microsoft.com/v1.0"},
		{in: "https://graph.microsoft.com/v1.0/", want: "https://graph.microsoft.com/v1.0"},
		{in: "http://127.0.0.1:8080/v1.0", want: "http://127.0.0.1:8080/v1.0"},
		{in: "http://127.3.4.5:8080/v1.0", want: "http://127.3.4.5:8080/v1.0"},
		{in: "http://localhost:1/v1.0", want: "http://localhost:1/v1.0"},
		{in: "http://[::1]:1/v1.0", want: "http://[::1]:1/v1.0"},
		{in: "http://graph.example.com/v1.0", wantErr: "plain http"},
		{in: "http://10.0.0.1/v1.0", wantErr: "plain http"},
		{in: "ftp://graph.microsoft.com", wantErr: "absolute http(s) URL"},
		{in: "graph.microsoft.com/v1.0", wantErr: "absolute http(s) URL"},
		{in: "https://user:pw@graph.microsoft.com/v1.0", wantErr: "user information"},
		{in: "https://graph.microsoft.com/v1.0?x=1", wantErr: "query"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			u, err := ParseEndpoint(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseEndpoint(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Fatalf("ParseEndpoint(%q) = %v, %v", tt.in, u, err)
			}
		})
	}
}

func TestIsAppOnlyToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, token    string
		appOnly, isJWT bool
	}{
		{"idtyp app", testAppToken, true, true},
		{"delegated", "eyJhbGciOiJub25lIn0.eyJpZHR5cCI6InVzZXIiLCJzY3AiOiJHcm91cC5SZWFkV3JpdGUuQWxsIn0.", false, true},
		{"roles without scp", "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJ4Il19.", true, true},
		{"opaque", "opaque-token", false, false},
		{"bad payload", "a.!!!.c", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			appOnly, ok := isAppOnlyToken(tt.token)
			if appOnly != tt.appOnly || ok != tt.isJWT {
				t.Fatalf("isAppOnlyToken = %v, %v; want %v, %v", appOnly, ok, tt.appOnly, tt.isJWT)
			}
		})
	}
}
