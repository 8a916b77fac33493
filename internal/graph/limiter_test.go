package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// waitUntil polls cond, failing the test after a few seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waiters counts the requests waiting for a slot of the test's group "g".
func (l *mailboxLimiter) waiters() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	box := l.boxes["g"]
	if box == nil {
		return 0
	}
	return len(box.waiting[0]) + len(box.waiting[1])
}

// Waiters get the slot in arrival order, urgent ones (listings shared by
// many reads) before the rest.
func TestMailboxLimiterServesUrgentWaitersFirst(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	ctx := context.Background()
	if err := l.acquire(ctx, "g", false); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	queue := func(name string, urgent bool) {
		n := l.waiters()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.acquire(ctx, "g", urgent); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			l.release("g")
		}()
		waitUntil(t, name+" to queue", func() bool { return l.waiters() == n+1 })
	}
	queue("create 1", false)
	queue("create 2", false)
	queue("listing 1", true)
	queue("create 3", false)
	queue("listing 2", true)
	l.release("g")
	wg.Wait()
	want := []string{"listing 1", "listing 2", "create 1", "create 2", "create 3"}
	if !slices.Equal(order, want) {
		t.Fatalf("slots went to %v, want %v", order, want)
	}
	if err := l.acquire(ctx, "g", false); err != nil || l.waiters() != 0 {
		t.Fatalf("the slot did not come back once everyone was done: %v", err)
	}
}

// A waiter whose context ends leaves the line, and a slot handed to it as
// its context ended goes to the next waiter instead of being lost.
func TestMailboxLimiterWaiterGivesUp(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	if err := l.acquire(context.Background(), "g", false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- l.acquire(ctx, "g", false) }()
	waitUntil(t, "the waiter to queue", func() bool { return l.waiters() == 1 })
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire = %v, want context.Canceled", err)
	}
	if l.waiters() != 0 {
		t.Fatal("a waiter that gave up is still in line")
	}
	l.release("g")
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	if err := l.acquire(short, "g", false); err != nil {
		t.Fatalf("the slot was lost: %v", err)
	}

	// The slot is handed over and the context ends together: whichever
	// wins, one slot stays usable.
	for range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- l.acquire(ctx, "g", true) }()
		waitUntil(t, "the waiter to queue", func() bool { return l.waiters() == 1 })
		go cancel()
		l.release("g")
		if err := <-done; err == nil {
			l.release("g")
		}
		next, cancelNext := context.WithTimeout(context.Background(), time.Second)
		if err := l.acquire(next, "g", false); err != nil {
			t.Fatalf("the slot was lost when it was handed over as the waiter gave up: %v", err)
		}
		cancelNext()
	}
}

func TestMailboxOf(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/v1.0/groups/ABC/conversations":            "abc",
		"/v1.0/groups/abc/conversations/x=/threads": "abc",
		"/v1.0/groups/abc":                          "",
		"/v1.0/groups":                              "",
		"/v1.0/users/u/messages":                    "",
	}
	for path, want := range tests {
		got, ok := mailboxOf(path)
		if got != want || ok != (want != "") {
			t.Errorf("mailboxOf(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

// answeringPipeline answers every request with 200 and a body, or fails
// with err, counting what it was sent.
type answeringPipeline struct {
	err  error
	sent atomic.Int32
}

func (p *answeringPipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	p.sent.Add(1)
	if p.err != nil {
		return nil, p.err
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader(`{"value":[]}`)), Request: req}, nil
}

func mailboxRequest(ctx context.Context, t *testing.T, path string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://graph.microsoft.com"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// canceled is a context that has ended: a request made with it that had to
// wait for a slot fails at once instead of waiting.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// Exchange counts a request in flight until it has answered, so the slot is
// held until the answer's body is closed, and freed exactly once however
// often it is closed.
func TestMailboxLimiterHoldsTheSlotUntilTheBodyIsClosed(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	pipeline := &answeringPipeline{}
	first, err := l.Intercept(pipeline, 0, mailboxRequest(context.Background(), t, "/v1.0/groups/G/conversations"))
	if err != nil {
		t.Fatal(err)
	}
	if !l.busy("G") {
		t.Fatal("the mailbox is free while an answer is still unread")
	}
	second := make(chan error, 1)
	secondReq := mailboxRequest(context.Background(), t, "/v1.0/groups/g/conversations/x/threads")
	go func() {
		resp, err := l.Intercept(pipeline, 0, secondReq)
		if err == nil {
			err = resp.Body.Close()
		}
		second <- err
	}()
	waitUntil(t, "the second request to queue", func() bool { return l.waiters() == 1 })
	if n := pipeline.sent.Load(); n != 1 {
		t.Fatalf("%d requests were let through with one slot, the first answer unread", n)
	}
	if _, err := io.ReadAll(first.Body); err != nil {
		t.Fatal(err)
	}
	if l.waiters() != 1 {
		t.Fatal("reading the answer freed the slot before its body was closed")
	}
	if err := first.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	_ = first.Body.Close()
	if l.busy("g") {
		t.Fatal("the slot was not freed when both answers were closed")
	}
	if err := l.acquire(context.Background(), "g", false); err != nil {
		t.Fatal(err)
	}
	if err := l.acquire(canceled(), "g", false); err == nil {
		t.Fatal("closing a body twice freed its slot twice: two requests hold one slot")
	}
}

// A request that got no answer frees its slot at once.
func TestMailboxLimiterFreesTheSlotOfAFailedRequest(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	failing := &answeringPipeline{err: errors.New("connection reset by peer")}
	if _, err := l.Intercept(failing, 0, mailboxRequest(context.Background(), t, "/v1.0/groups/g/conversations")); err == nil {
		t.Fatal("the pipeline's failure was lost")
	}
	if l.busy("g") {
		t.Fatal("a request without an answer kept its slot")
	}
}

// Only requests Exchange serves from a group's mailbox are limited, and
// only when there is a limit.
func TestMailboxLimiterLimitsOnlyMailboxRequests(t *testing.T) {
	t.Parallel()
	held := newMailboxLimiter(1)
	if err := held.acquire(context.Background(), "g", false); err != nil {
		t.Fatal(err)
	}
	unlimited := newMailboxLimiter(0)
	tests := []struct {
		name    string
		limiter *mailboxLimiter
		path    string
		limited bool
	}{
		{name: "the group's mailbox", limiter: held, path: "/v1.0/groups/g/conversations", limited: true},
		{name: "the group's mailbox, any case", limiter: held, path: "/v1.0/Groups/G/threads", limited: true},
		{name: "the group object", limiter: held, path: "/v1.0/groups/g"},
		{name: "another group's mailbox", limiter: held, path: "/v1.0/groups/h/conversations"},
		{name: "no limit", limiter: unlimited, path: "/v1.0/groups/g/conversations"},
	}
	for _, tt := range tests {
		pipeline := &answeringPipeline{}
		// A request that must wait for a slot fails at once with its
		// ended context; one that need not wait is answered.
		resp, err := tt.limiter.Intercept(pipeline, 0, mailboxRequest(canceled(), t, tt.path))
		if limited := err != nil; limited != tt.limited {
			t.Errorf("%s: limited = %v, want %v (err %v)", tt.name, limited, tt.limited, err)
		}
		if err == nil {
			_ = resp.Body.Close()
		}
	}
	if !unlimited.busy("g") {
		t.Error("without a limit the mailbox must count as busy: Exchange's own limit may be reached")
	}
}

// The tests below run the limiter in a whole client against the emulator.

// With the client's per-mailbox cap equal to Exchange's, ten concurrent
// creates in one group draw no 429 at all; without it they do.
func TestMailboxLimiterPreventsThrottling(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{4, 0} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{MailboxConcurrency: 4, Latency: 30 * time.Millisecond})
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), MaxConcurrentRequestsPerGroup: limit})
			ctx := testContext(t)
			var wg sync.WaitGroup
			for i := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: fmt.Sprint("t", i), Body: ItemBody{Content: "x"}}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			throttled := env.server.Counters()["status.429"]
			if limit > 0 && throttled != 0 {
				t.Fatalf("the limiter let %d requests be throttled", throttled)
			}
			if limit == 0 && throttled == 0 {
				t.Fatalf("without the limiter Exchange's limit should have been hit; the test proves nothing")
			}
			if n := len(env.server.Conversations(env.group.ID)); n != 10 {
				t.Fatalf("want 10 conversations, got %d", n)
			}
		})
	}
}
