package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// rewritingTransport sends every request to the emulator and then changes
// what the client gets back, as a service that answers oddly would.
type rewritingTransport struct {
	// answerCreate, when set, replaces the answer to the first creates
	// (POST .../conversations or .../threads) after the emulator applied
	// them; remaining counts how many.
	answerCreate func(req *http.Request) *http.Response
	remaining    atomic.Int32
	// rewriteBody changes every post body a read returns; rewriteTopic
	// every conversation topic.
	rewriteBody  func(content string) string
	rewriteTopic func(topic string) string
	// sent records the JSON body of every create, by request context value
	// createTag.
	mu   sync.Mutex
	sent []sentCreate
}

type sentCreate struct {
	tag  any
	body map[string]any
}

type createTag struct{}

func isCreate(req *http.Request) bool {
	return req.Method == http.MethodPost &&
		(strings.HasSuffix(req.URL.Path, "/conversations") || strings.HasSuffix(req.URL.Path, "/threads"))
}

func (rt *rewritingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if isCreate(req) && req.Body != nil {
		data, _ := io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(data))
		var body map[string]any
		_ = json.Unmarshal(data, &body)
		rt.mu.Lock()
		rt.sent = append(rt.sent, sentCreate{tag: req.Context().Value(createTag{}), body: body})
		rt.mu.Unlock()
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if isCreate(req) && rt.answerCreate != nil && resp.StatusCode < 300 && rt.remaining.Add(-1) >= 0 {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return rt.answerCreate(req), nil
	}
	if req.Method != http.MethodGet || (rt.rewriteBody == nil && rt.rewriteTopic == nil) || resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	data, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if json.Unmarshal(data, &doc) == nil {
		items, _ := doc["value"].([]any)
		if items == nil {
			items = []any{any(doc)}
		}
		for _, item := range items {
			m, _ := item.(map[string]any)
			if b, ok := m["body"].(map[string]any); ok && rt.rewriteBody != nil {
				if content, ok := b["content"].(string); ok {
					b["content"] = rt.rewriteBody(content)
				}
			}
			if topic, ok := m["topic"].(string); ok && rt.rewriteTopic != nil && strings.Contains(req.URL.Path, "/conversations") {
				m["topic"] = rt.rewriteTopic(topic)
			}
		}
		data, _ = json.Marshal(doc)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	resp.ContentLength = int64(len(data))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// sentKeys returns the idempotency key of every create sent, in order ("" for
// an unstamped one).
func (rt *rewritingTransport) sentKeys() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var keys []string
	for _, s := range rt.sent {
		keys = append(keys, keyInCreateBody(s.body))
	}
	return keys
}

func keyInCreateBody(body map[string]any) string {
	posts, _ := body["posts"].([]any)
	if threads, ok := body["threads"].([]any); ok && len(threads) > 0 {
		posts, _ = threads[0].(map[string]any)["posts"].([]any)
	}
	if len(posts) == 0 {
		return ""
	}
	extensions, _ := posts[0].(map[string]any)["extensions"].([]any)
	for _, e := range extensions {
		if ext, _ := e.(map[string]any); ext["extensionName"] == createStampExtension {
			key, _ := ext[createStampKeyProperty].(string)
			return key
		}
	}
	return ""
}

// exchangeRewrite turns posted HTML into the shape of the docs' list-posts
// sample: nested divs and x_-prefixed ids, more than the emulator's wrapper.
func exchangeRewrite(content string) string {
	inner := ImportedBody(ItemBody{ContentType: "html", Content: content}).Content
	inner = strings.ReplaceAll(inner, `id="`, `id="x_`)
	return "<html><body><div><div style=\"direction:ltr;\"><table id=\"x_bodyTable\"><tr><td>" + inner + "</td></tr></table></div></div></body></html>"
}

// storedKey returns the key the emulator stored on a thread's first post.
func storedKey(env *testEnv, threadID string) string {
	posts := env.server.Posts(env.group.ID, threadID)
	if len(posts) == 0 {
		return ""
	}
	for _, e := range posts[0].Extensions {
		if e.Name == createStampExtension {
			key, _ := e.Data[createStampKeyProperty].(string)
			return key
		}
	}
	return ""
}

// The stamp goes out as an open extension on the first post, msgraph-sdk-go
// serialises it the way Graph's docs write it, and it reads back as the
// post's CreateKey.
func TestCreateStampOnTheWire(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	rt := &rewritingTransport{}
	c := env.client(t, testToken, rt)
	c.newCreateKey = func() string { return "key-on-the-wire" }
	ctx := testContext(t)
	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Wire", Body: ItemBody{Content: "<p>x</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	body := rt.sent[0].body
	rt.mu.Unlock()
	post := body["threads"].([]any)[0].(map[string]any)["posts"].([]any)[0].(map[string]any)
	extensions, _ := post["extensions"].([]any)
	if len(extensions) != 1 {
		t.Fatalf("want one extension on the first post, got %v", post)
	}
	ext := extensions[0].(map[string]any)
	if ext["@odata.type"] != "#microsoft.graph.openTypeExtension" || ext["extensionName"] != createStampExtension ||
		ext[createStampKeyProperty] != "key-on-the-wire" || len(ext) != 3 {
		t.Fatalf("extension on the wire: %v", ext)
	}
	if got := storedKey(env, created.ThreadID); got != "key-on-the-wire" {
		t.Fatalf("the emulator stored key %q", got)
	}
	posts, err := c.listPostsWithStamps(ctx, env.group.ID, created.ID, created.ThreadID)
	if err != nil || len(posts) != 1 || posts[0].CreateKey != "key-on-the-wire" {
		t.Fatalf("read back: %+v, %v", posts, err)
	}
	plain, err := c.listPosts(ctx, env.group.ID, created.ID, created.ThreadID)
	if err != nil || plain[0].CreateKey != "" {
		t.Fatalf("a read without the expansion must not show the key: %+v, %v", plain, err)
	}

	threadID, err := c.CreateThread(ctx, env.group.ID, created.ID, NewThread{Topic: "Wire", Body: ItemBody{Content: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if keys := rt.sentKeys(); len(keys) != 2 || keys[1] != "key-on-the-wire" || storedKey(env, threadID) != "key-on-the-wire" {
		t.Fatalf("the thread create was not stamped: sent %v, stored %q", keys, storedKey(env, threadID))
	}
}

// Exchange rewrites what it stores: nested divs and x_ ids in HTML, a
// normalised subject. The search after a lost answer finds the conversation
// by its key anyway, and creates nothing more.
func TestLostCreateAdoptedByKeyDespiteRewrites(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	rt := &rewritingTransport{
		rewriteBody:  exchangeRewrite,
		rewriteTopic: func(topic string) string { return strings.TrimPrefix(topic, "FYI: ") },
	}
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: rt, VisibilityGrace: time.Second})
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{
		Topic: "FYI: Office closed", Body: ItemBody{Content: `<p id="notice">Closed <b>Friday</b></p>`},
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 1 || stored[0].ID != created.ID || created.ThreadID != stored[0].ThreadIDs[0] {
		t.Fatalf("want the one conversation adopted; created %+v, stored %d conversations", created, len(stored))
	}
	if n := env.server.Counters()["conversations.create"]; n != 1 {
		t.Fatalf("the create was sent %d times", n)
	}
}

// Two identical creates in one run, both answers lost: each adopts the
// conversation its own create made, told apart by key.
func TestIdenticalLostCreatesAdoptTheirOwn(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	rt := &rewritingTransport{}
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: rt, VisibilityGrace: time.Second})
	ctx := testContext(t)
	in := NewConversation{Topic: "Twin", Body: ItemBody{Content: "<p>same</p>"}}
	results := make([]CreatedConversation, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			created, err := c.CreateConversation(context.WithValue(ctx, createTag{}, i), env.group.ID, in)
			if err != nil {
				t.Error(err)
			}
			results[i] = created
		}()
	}
	wg.Wait()
	rt.mu.Lock()
	sentKey := map[any]string{}
	for _, s := range rt.sent {
		sentKey[s.tag] = keyInCreateBody(s.body)
	}
	rt.mu.Unlock()
	if len(env.server.Conversations(env.group.ID)) != 2 || results[0].ID == results[1].ID {
		t.Fatalf("want two conversations, one each; got %+v", results)
	}
	for i, r := range results {
		if want, got := sentKey[i], storedKey(env, r.ThreadID); want == "" || got != want {
			t.Errorf("create %d sent key %q but adopted the conversation stamped %q", i, want, got)
		}
	}
}

// A create answered with success but nothing usable, or with a redirect, is
// searched for by key and adopted: never resent, never an error.
func TestUnusableCreateAnswersAreSearchedNotResent(t *testing.T) {
	t.Parallel()
	answers := []struct {
		name        string
		status      int
		contentType string
		body        string
		header      map[string]string
	}{
		{"201 without a body", 201, "", "", nil},
		{"201 empty object", 201, "application/json", "{}", nil},
		{"201 null id", 201, "application/json", `{"id":null,"threads":[{"id":null}]}`, nil},
		{"200 with an HTML page", 200, "text/html", "<html><body>Sign in</body></html>", nil},
		{"201 with a path for an id", 201, "application/json", `{"id":"../../me"}`, nil},
		{"302 redirect", 302, "", "", map[string]string{"Location": "https://login.example/"}},
	}
	for _, answer := range answers {
		for _, kind := range []string{"conversation", "thread"} {
			t.Run(answer.name+", "+kind, func(t *testing.T) {
				t.Parallel()
				env := newTestEnv(t, emulator.Options{})
				parent, err := env.server.SeedConversation(env.group.ID, "Parent", emulator.ItemBody{Content: "p"}, nil, emulator.Principal{DisplayName: "x"})
				if err != nil {
					t.Fatal(err)
				}
				rt := &rewritingTransport{answerCreate: func(req *http.Request) *http.Response {
					h := http.Header{}
					if answer.contentType != "" {
						h.Set("Content-Type", answer.contentType)
					}
					for k, v := range answer.header {
						h.Set(k, v)
					}
					return &http.Response{StatusCode: answer.status, Header: h, Body: io.NopCloser(strings.NewReader(answer.body)),
						ContentLength: int64(len(answer.body)), Request: req}
				}}
				rt.remaining.Store(1)
				c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: rt, VisibilityGrace: 2 * time.Second})
				ctx := testContext(t)
				var id string
				if kind == "conversation" {
					created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Odd", Body: ItemBody{Content: "x"}})
					if err != nil {
						t.Fatal(err)
					}
					id = created.ID
				} else {
					id, err = c.CreateThread(ctx, env.group.ID, parent.ID, NewThread{Topic: "Parent", Body: ItemBody{Content: "x"}})
					if err != nil {
						t.Fatal(err)
					}
				}
				counters := env.server.Counters()
				if counters[kind+"s.create"] != 1 {
					t.Fatalf("the create was sent %d times", counters[kind+"s.create"])
				}
				if counters["posts.list"] == 0 {
					t.Fatalf("nothing was searched: %v", counters)
				}
				var stored []string
				if kind == "conversation" {
					for _, cv := range env.server.Conversations(env.group.ID) {
						stored = append(stored, cv.ID)
					}
				} else {
					for _, th := range env.server.Threads(env.group.ID, parent.ID) {
						stored = append(stored, th.ID)
					}
				}
				if len(stored) != 2 || stored[1] != id {
					t.Fatalf("want the new %s adopted as %s; stored %v", kind, id, stored)
				}
			})
		}
	}
}

// A thread create whose answer is lost is adopted, not sent again: the
// conversation ends with exactly two threads.
func TestLostThreadCreateIsAdopted(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), VisibilityGrace: time.Second})
	ctx := testContext(t)
	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Parent", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	env.server.SetInvisibleFor(300 * time.Millisecond)
	env.server.SetFaults(emulator.Faults{DropAfterCreateEvery: 1})
	threadID, err := c.CreateThread(ctx, env.group.ID, created.ID, NewThread{Topic: "Parent", Body: ItemBody{Content: "<p>x</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	threads := env.server.Threads(env.group.ID, created.ID)
	if len(threads) != 2 || threads[1].ID != threadID {
		t.Fatalf("want the dropped thread adopted; got %s, stored %d threads", threadID, len(threads))
	}
	if counters := env.server.Counters(); counters["threads.create"] != 1 || counters["faults.dropped"] != 1 {
		t.Fatalf("counters %v", counters)
	}
}

// A service that refuses the stamp gets the create again without it, once,
// and no stamp for the rest of the run; a lost answer is then matched on
// content.
func TestRefusedStampCreatesOnceWithoutIt(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{RefuseCreateStamps: true})
	rt := &rewritingTransport{}
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: rt, VisibilityGrace: time.Second})
	ctx := testContext(t)
	first, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Refused", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	env.server.SetFaults(emulator.Faults{DropAfterCreateEvery: 1})
	second, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Unstamped", Body: ItemBody{Content: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	keys := rt.sentKeys()
	if len(keys) != 3 || keys[0] == "" || keys[1] != "" || keys[2] != "" {
		t.Fatalf("want one stamped create refused, then unstamped ones; keys sent %q", keys)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 2 || stored[0].ID != first.ID || stored[1].ID != second.ID {
		t.Fatalf("want exactly the two conversations; stored %d, created %s and %s", len(stored), first.ID, second.ID)
	}
	if got := env.server.Counters()["stamps.refused"]; got != 1 {
		t.Fatalf("stamps.refused = %d", got)
	}
}

// A create whose answer proves nothing and whose search cannot conclude
// before the deadline reports an outcome unknown, never a refusal.
func TestUnconfirmedCreateAtDeadline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{InvisibleFor: time.Minute, Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), VisibilityGrace: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "Unknown", Body: ItemBody{Content: "x"}})
	var unconfirmed *UnconfirmedCreateError
	if !errors.As(err, &unconfirmed) || !unconfirmed.Searched || unconfirmed.Key == "" || unconfirmed.Cause == nil {
		t.Fatalf("want an unconfirmed create, got %#v", err)
	}
	if n := env.server.Counters()["conversations.create"]; n != 1 {
		t.Fatalf("the create was sent %d times", n)
	}
}

// Setting isLocked twice is setting it once, so the PATCH is retried after a
// 503 like a read.
func TestSetThreadLockedIsRetried(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	seeded, err := env.server.SeedConversation(env.group.ID, "t", emulator.ItemBody{Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	fault := &faultTransport{method: http.MethodPatch, status: 503}
	fault.remaining.Store(2)
	c := env.client(t, testToken, fault)
	if err := c.SetThreadLocked(testContext(t), env.group.ID, seeded.ID, seeded.ThreadIDs[0], true); err != nil {
		t.Fatalf("a PATCH of isLocked should outlast two 503s: %v", err)
	}
	if thread, _ := env.server.Thread(env.group.ID, seeded.ThreadIDs[0]); !thread.IsLocked || fault.seen.Load() != 2 {
		t.Fatalf("locked %v after %d faults", thread.IsLocked, fault.seen.Load())
	}
}

func TestClassifyCreateAnswer(t *testing.T) {
	t.Parallel()
	reset := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	refused := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	tests := []struct {
		name    string
		reached bool
		status  int
		err     error
		want    createOutcome
	}{
		{"no token", false, 0, errors.New("signing in failed"), outcomeNotSent},
		{"400", true, 400, errors.New("bad"), outcomeRefused},
		{"403", true, 403, errors.New("denied"), outcomeRefused},
		{"429 after the deadline", true, 429, errors.New("throttled"), outcomeRefused},
		{"500", true, 500, errors.New("oops"), outcomeUnknown},
		{"503", true, 503, errors.New("unavailable"), outcomeUnknown},
		{"302", true, 302, &unusableAnswerError{status: 302}, outcomeUnknown},
		{"201 without id", true, 201, &unusableAnswerError{status: 201}, outcomeUnknown},
		{"reset after sending", true, 0, reset, outcomeUnknown},
		{"attempt timeout", true, 0, &url.Error{Op: "Post", URL: "x", Err: context.DeadlineExceeded}, outcomeUnknown},
		{"never sent", true, 0, refused, outcomeNotSent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := classifyCreateAnswer(tt.reached, tt.status, tt.err); got != tt.want {
				t.Errorf("classifyCreateAnswer(%v, %d, %v) = %v, want %v", tt.reached, tt.status, tt.err, got, tt.want)
			}
		})
	}
}

func TestUsableCreatedID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=": true,
		"": false, ".": false, "..": false, "a/b": false, "a b": false, "a\nb": false, "a?b": false, `a\b`: false,
	} {
		if got := usableCreatedID(id); got != want {
			t.Errorf("usableCreatedID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestStampOf(t *testing.T) {
	t.Parallel()
	key := "k-1"
	typed := models.NewOpenTypeExtension()
	name := createStampExtension
	typed.SetExtensionName(&name)
	typed.SetAdditionalData(map[string]any{createStampKeyProperty: &key})
	untyped := models.NewExtension()
	id := "Microsoft.OutlookServices.OpenTypeExtension." + createStampExtension
	untyped.SetId(&id)
	untyped.SetAdditionalData(map[string]any{createStampKeyProperty: "k-2"})
	other := models.NewOpenTypeExtension()
	otherName := "Com.Contoso.Other"
	other.SetExtensionName(&otherName)
	other.SetAdditionalData(map[string]any{createStampKeyProperty: "k-3"})
	tests := []struct {
		name       string
		extensions []models.Extensionable
		want       string
	}{
		{"typed", []models.Extensionable{typed}, "k-1"},
		{"known by its id", []models.Extensionable{untyped}, "k-2"},
		{"someone else's extension", []models.Extensionable{other}, ""},
		{"none", nil, ""},
		{"a null element", []models.Extensionable{nil, typed}, "k-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			post := models.NewPost()
			post.SetExtensions(tt.extensions)
			if got := stampOf(post); got != tt.want {
				t.Errorf("stampOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsStampRefusal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{&Error{StatusCode: 400, Code: "RequestBodyRead", Message: "The property 'extensions' does not exist on type 'microsoft.graph.post'."}, true},
		{&Error{StatusCode: 400, Code: "ErrorInvalidRequest", Message: "The post must have a body."}, false},
		{&Error{StatusCode: 403, Code: "ErrorAccessDenied", Message: "extensions"}, false},
		{fmt.Errorf("wrapped: %w", &Error{StatusCode: 400, Message: "openTypeExtension is not supported"}), true},
		{errors.New("extensions"), false},
	}
	for _, tt := range tests {
		if got := isStampRefusal(tt.err); got != tt.want {
			t.Errorf("isStampRefusal(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestNewCreateKeyIsUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		key := newCreateKey()
		if len(key) != 36 || seen[key] {
			t.Fatalf("key %q is malformed or repeated", key)
		}
		seen[key] = true
	}
}

// throttleFirstCreate answers the first create with a 429 without passing
// it on, and sends everything else to the emulator.
type throttleFirstCreate struct{ throttled atomic.Bool }

func (rt *throttleFirstCreate) RoundTrip(req *http.Request) (*http.Response, error) {
	if isCreate(req) && rt.throttled.CompareAndSwap(false, true) {
		return &http.Response{
			StatusCode: http.StatusTooManyRequests, Request: req,
			Header: http.Header{"Retry-After": {"0"}, "Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(`{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}`)),
		}, nil
	}
	return http.DefaultTransport.RoundTrip(req)
}

// A create throttled once and then sent again, whose second answer is lost,
// proves nothing: the 429 of the first attempt must not make it read as
// refused. It is searched for and adopted.
func TestCreateThrottledThenLostIsSearched(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: &throttleFirstCreate{}, VisibilityGrace: time.Second})
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{Topic: "Throttled", Body: ItemBody{Content: "<p>x</p>"}})
	if err != nil {
		t.Fatalf("the create was not searched for after a 429 and a lost answer: %v", err)
	}
	stored := env.server.Conversations(env.group.ID)
	if len(stored) != 1 || stored[0].ID != created.ID {
		t.Fatalf("want the one conversation adopted; created %+v, stored %d", created, len(stored))
	}
}
