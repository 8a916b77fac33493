package emulator

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestMailboxConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{MailboxConcurrency: 1, Latency: 200 * time.Millisecond, RetryAfterSeconds: 3})
	list := "/groups/" + f.team.ID + "/conversations"

	first := make(chan response, 1)
	go func() { first <- f.do(request{path: list}) }()
	// The first request holds the mailbox's only slot while it sleeps
	// through its latency.
	waitFor(t, "the first request to hold the mailbox slot", func() bool { return f.srv.inflightFor(f.team.ID) == 1 })

	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantCode   string
	}{
		{"same mailbox is throttled", request{path: list}, 429, "ApplicationThrottled"},
		{"same mailbox, thread route", request{path: "/groups/" + f.team.ID + "/threads"}, 429, "ApplicationThrottled"},
		{"another mailbox is not limited", request{path: "/groups/" + f.other.ID + "/conversations"}, 200, ""},
		{"the group object itself is not under the mailbox", request{path: "/groups/" + f.team.ID}, 200, ""},
		{"authentication comes first", request{path: list, token: tokenOf("")}, 401, "InvalidAuthenticationToken"},
	}
	// Throttled answers come back at once, so both fit in the 200 ms the
	// first request holds the slot. Requests that are not throttled take a
	// full latency each and are checked afterwards.
	for _, tt := range tests[:2] {
		r := f.do(tt.req)
		if r.status != tt.wantStatus && f.srv.inflightFor(f.team.ID) == 0 {
			t.Skip("the machine is too slow: the first request finished before the second one was sent")
		}
		e := wantError(t, r, tt.wantStatus, tt.wantCode)
		if e["message"] != "Application is over its MailboxConcurrency limit." {
			t.Errorf("%s: message = %v", tt.name, e["message"])
		}
		if got := r.header.Get("Retry-After"); got != "3" {
			t.Errorf("%s: Retry-After = %q, want 3", tt.name, got)
		}
	}
	for _, tt := range tests[2:] {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.req)
			if tt.wantCode != "" {
				wantError(t, r, tt.wantStatus, tt.wantCode)
				return
			}
			wantStatus(t, r, tt.wantStatus)
		})
	}
	wantStatus(t, <-first, http.StatusOK)
	waitFor(t, "the slot to be released", func() bool { return f.srv.inflightFor(f.team.ID) == 0 })
	wantStatus(t, f.do(request{path: list}), http.StatusOK)
	if got := f.srv.Counters()["status.429"]; got != 2 {
		t.Errorf("status.429 = %d, want 2", got)
	}

	t.Run("limit changed at runtime", func(t *testing.T) {
		f.srv.SetMailboxConcurrency(0)
		f.srv.SetLatency(0)
		wantStatus(t, f.do(request{path: list}), http.StatusOK)
	})
}

func TestMailboxConcurrencyTwoConcurrentRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{MailboxConcurrency: 1, Latency: 200 * time.Millisecond})
	list := "/groups/" + f.team.ID + "/conversations"
	results := make(chan response, 2)
	for range 2 {
		go func() { results <- f.do(request{path: list}) }()
	}
	statuses := []int{(<-results).status, (<-results).status}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 429}) {
		t.Errorf("statuses = %v, want one 200 and one 429", statuses)
	}
}

func TestInvisibilityWindow(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{InvisibleFor: 5 * time.Second, Now: clock.Now})
	cid, tid := f.createConversation(f.team.ID, "Eventually consistent")
	conv := "/groups/" + f.team.ID + "/conversations/" + cid
	reply := `{"post":{"body":{"content":"too early"}}}`

	checks := []struct {
		name     string
		req      request
		wantCode string
	}{
		{"get conversation", request{path: conv}, "ErrorItemNotFound"},
		{"get thread", request{path: "/groups/" + f.team.ID + "/threads/" + tid}, "ErrorItemNotFound"},
		{"list posts", request{path: conv + "/threads/" + tid + "/posts"}, "ErrorItemNotFound"},
		{"reply", request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/threads/" + tid + "/reply", body: reply}, "ErrorItemNotFound"},
		{"delete", request{method: http.MethodDelete, path: conv}, "ErrorItemNotFound"},
	}
	for _, tt := range checks {
		t.Run("invisible/"+tt.name, func(t *testing.T) {
			wantError(t, f.do(tt.req), http.StatusNotFound, tt.wantCode)
		})
	}
	if n := len(f.do(request{path: "/groups/" + f.team.ID + "/conversations"}).values(t)); n != 0 {
		t.Errorf("list shows %d conversations inside the window, want 0", n)
	}
	if n := len(f.do(request{path: "/groups/" + f.team.ID + "/threads"}).values(t)); n != 0 {
		t.Errorf("group thread list shows %d threads inside the window, want 0", n)
	}
	if _, ok := f.srv.Conversation(f.team.ID, cid); !ok {
		t.Error("the helper must see the conversation inside the window")
	}

	clock.Advance(4 * time.Second)
	wantError(t, f.do(request{path: conv}), http.StatusNotFound, "ErrorItemNotFound")
	clock.Advance(time.Second)
	wantStatus(t, f.do(request{path: conv}), http.StatusOK)
	if n := len(f.do(request{path: "/groups/" + f.team.ID + "/conversations"}).values(t)); n != 1 {
		t.Errorf("list shows %d conversations after the window, want 1", n)
	}

	t.Run("seeded conversations are visible at once", func(t *testing.T) {
		seeded, err := f.srv.SeedConversation(f.team.ID, "Seeded", ItemBody{"text", "x"}, nil, alice)
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + seeded.ID}), http.StatusOK)
	})
	t.Run("window changed at runtime", func(t *testing.T) {
		f.srv.SetInvisibleFor(0)
		now, _ := f.createConversation(f.team.ID, "Immediately visible")
		wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + now}), http.StatusOK)
	})
}

func TestCounters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	group := "/groups/" + f.team.ID
	cid, tid := f.createConversation(f.team.ID, "Counted")
	pid := f.srv.Posts(f.team.ID, tid)[0].ID
	reply := `{"post":{"body":{"content":"x"}}}`
	for _, req := range []request{
		{path: group},
		{path: "/groups?$filter=displayName eq 'Fixture Team'"},
		{path: group + "/conversations"},
		{path: group + "/conversations/" + cid},
		{method: "PATCH", path: group + "/conversations/" + cid, body: "{}"},
		{path: group + "/conversations/" + cid + "/threads"},
		{path: group + "/threads/" + tid},
		{method: "PATCH", path: group + "/threads/" + tid, body: `{"isLocked":false}`},
		{method: "POST", path: group + "/threads/" + tid + "/reply", body: reply},
		{path: group + "/threads/" + tid + "/posts"},
		{path: group + "/threads/" + tid + "/posts/" + pid},
		{method: "POST", path: group + "/threads/" + tid + "/posts/" + pid + "/reply", body: reply},
		{method: "POST", path: group + "/threads/" + tid + "/posts/" + pid + "/forward", body: `{"toRecipients":[{"emailAddress":{"address":"a@b.c"}}]}`},
		{method: "POST", path: group + "/conversations/" + cid + "/threads", body: `{"posts":[{"body":{"content":"x"}}]}`},
		{path: group + "/bogus"},
		{path: group + "/conversations/AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="},
		{path: group, token: tokenOf("wrong")},
		{method: "DELETE", path: group + "/threads/" + tid},
		{method: "DELETE", path: group + "/conversations/" + cid},
	} {
		if req.path == "/groups?$filter=displayName eq 'Fixture Team'" {
			req.path = "/groups?$filter=displayName%20eq%20'Fixture%20Team'"
		}
		f.do(req)
	}
	want := map[string]int{
		"conversations.create": 1, "groups.get": 1, "groups.list": 1, "conversations.list": 1, "conversations.get": 2,
		"conversations.update": 1, "threads.list": 1, "threads.get": 1, "threads.update": 1, "threads.reply": 1,
		"posts.list": 1, "posts.get": 1, "posts.reply": 1, "posts.forward": 1, "threads.create": 1, "other": 1,
		"threads.delete": 1, "conversations.delete": 1,
		"requests.total": 20, "status.401": 1, "status.404": 1, "status.4xx": 4, // 405, 400, 404, 401
	}
	got := f.srv.Counters()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("counter %s = %d, want %d", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected counter %s = %d", k, got[k])
		}
	}
	got["groups.get"] = 99 // Counters must hand out a copy.
	if f.srv.Counters()["groups.get"] != 1 {
		t.Error("Counters returned the live map")
	}
	f.srv.ResetCounters()
	if n := len(f.srv.Counters()); n != 0 {
		t.Errorf("after ResetCounters: %d counters", n)
	}
}

// A request counts against its mailbox until it answers, and no longer: a
// client that has the start of an answer may send its next request at once
// without being throttled by the one that answered. The listing here is
// large enough (hundreds of KB) that its body cannot all be written before
// the client reads it, so a slot freed only when the handler returned would
// still be taken while the client holds the answer's headers.
func TestMailboxSlotFreedAsTheAnswerStarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{MailboxConcurrency: 1, PageSize: 1000, MaxPageSize: 1000})
	body := ItemBody{ContentType: "text", Content: strings.Repeat("A long first post. ", 40)}
	for i := range 1000 {
		if _, err := f.srv.SeedConversation(f.team.ID, fmt.Sprint("Conversation ", i), body, nil, alice); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodGet, f.base+"/groups/"+f.team.ID+"/conversations?$top=1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	resp, err := f.hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("listing answered %d", resp.StatusCode)
	}
	// The body is not read yet: the handler may still be writing it.
	if n := f.srv.inflightFor(f.team.ID); n != 0 {
		t.Fatalf("%d request(s) still counted in flight once the answer started", n)
	}
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations?$top=1"}), http.StatusOK)
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n < 256<<10 {
		t.Fatalf("read %d bytes of the listing (%v); want hundreds of KB for this test to mean something", n, err)
	}
}
