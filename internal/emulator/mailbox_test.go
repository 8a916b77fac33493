package emulator

import (
	"net/http"
	"testing"
	"time"
)

func TestNewGroupMailboxNotReady(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	// The fixture's groups were added before any delay was set: ready.
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations"}), http.StatusOK)

	fresh := f.srv.AddGroup(Group{DisplayName: "Fresh", GroupTypes: []string{"Unified"}, MailboxDelay: 10 * time.Minute})
	g := "/groups/" + fresh.ID
	requests := []request{
		{path: g + "/conversations"},
		{method: http.MethodPost, path: g + "/conversations", body: newConversationBody("Kickoff", "text", "hello")},
		{path: g + "/threads"},
		{method: http.MethodPost, path: g + "/threads", body: map[string]any{"topic": "t", "posts": []any{map[string]any{"body": map[string]any{"content": "x"}}}}},
	}
	for _, req := range requests {
		e := wantError(t, f.do(req), http.StatusNotFound, "MailboxNotEnabledForRESTAPI")
		if e["message"] != "The mailbox is either inactive, soft-deleted, or is hosted on-premise." {
			t.Errorf("%s %s: message = %v", req.method, req.path, e["message"])
		}
	}
	// The directory knows the group at once.
	wantStatus(t, f.do(request{path: g}), http.StatusOK)
	if at, ok := f.srv.MailboxReadyAt(fresh.ID); !ok || !at.Equal(clock.Now().Add(10*time.Minute)) {
		t.Errorf("MailboxReadyAt = %v, %v, want ten minutes from now", at, ok)
	}

	clock.Advance(10*time.Minute - time.Second)
	wantError(t, f.do(requests[0]), http.StatusNotFound, "MailboxNotEnabledForRESTAPI")
	clock.Advance(time.Second)
	for _, req := range requests {
		r := f.do(req)
		if r.status >= 300 {
			t.Errorf("%s %s once the mailbox is ready: status %d: %s", req.method, req.path, r.status, r.body)
		}
	}
	if n := len(f.srv.Conversations(fresh.ID)); n != 2 {
		t.Errorf("conversations = %d, want the 2 created once ready", n)
	}
}

func TestMailboxDelayDefault(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := New(Options{Now: clock.Now, Behaviour: Behaviour{MailboxDelay: time.Minute}})
	byDefault := srv.AddGroup(Group{GroupTypes: []string{"Unified"}})
	own := srv.AddGroup(Group{GroupTypes: []string{"Unified"}, MailboxDelay: time.Hour})
	readyNow := srv.AddGroup(Group{GroupTypes: []string{"Unified"}, MailboxDelay: -1})
	srv.SetBehaviour(Behaviour{})
	addedLater := srv.AddGroup(Group{GroupTypes: []string{"Unified"}})

	now := clock.Now()
	for _, tt := range []struct {
		name  string
		group Group
		want  time.Time
	}{
		{"server default", byDefault, now.Add(time.Minute)},
		{"the group's own delay", own, now.Add(time.Hour)},
		{"negative: ready at once", readyNow, now},
		{"added after the default changed", addedLater, now},
	} {
		if at, _ := srv.MailboxReadyAt(tt.group.ID); !at.Equal(tt.want) {
			t.Errorf("%s: ready at %v, want %v", tt.name, at, tt.want)
		}
	}
	// Re-adding a group keeps its mailbox's readiness.
	srv.AddGroup(Group{ID: own.ID, DisplayName: "Renamed", GroupTypes: []string{"Unified"}})
	if at, _ := srv.MailboxReadyAt(own.ID); !at.Equal(now.Add(time.Hour)) {
		t.Errorf("after re-adding: ready at %v, want %v", at, now.Add(time.Hour))
	}
}

func TestNonUnifiedGroupStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		wantStatus int
		wantCode   string
	}{
		{"default", 0, http.StatusNotFound, "MailboxNotEnabledForRESTAPI"},
		{"404", http.StatusNotFound, http.StatusNotFound, "MailboxNotEnabledForRESTAPI"},
		{"403", http.StatusForbidden, http.StatusForbidden, "ErrorAccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Behaviour: Behaviour{NonUnifiedStatus: tt.status}})
			g := "/groups/" + f.security.ID
			for _, req := range []request{
				{path: g + "/conversations"},
				{method: http.MethodPost, path: g + "/conversations", body: newConversationBody("t", "text", "x")},
				{path: g + "/threads"},
			} {
				wantError(t, f.do(req), tt.wantStatus, tt.wantCode)
			}
			// Unknown groups keep their own answer.
			wantError(t, f.do(request{path: "/groups/0b0e63f6-0a0a-4b4b-8c8c-0d0d0d0d0d0d/conversations"}), http.StatusNotFound, "Request_ResourceNotFound")
		})
	}
}
