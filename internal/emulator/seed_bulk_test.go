package emulator

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestSeedConversations(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{ListOrder: NewestFirst}})
	const n = 5000
	seeded, err := f.srv.SeedConversations(f.team.ID, n, bob)
	if err != nil {
		t.Fatal(err)
	}
	if len(seeded) != n || len(f.srv.Conversations(f.team.ID)) != n {
		t.Fatalf("seeded %d, stored %d, want %d", len(seeded), len(f.srv.Conversations(f.team.ID)), n)
	}
	ids := make(map[string]bool, n)
	for i, c := range seeded {
		ids[c.ID] = true
		wantDelivered := clock.Now().Add(-time.Duration(n-1-i) * time.Second)
		if c.Topic != "Seeded conversation "+strconv.Itoa(i+1) || !c.LastDeliveredDateTime.Equal(wantDelivered) || len(c.ThreadIDs) != 1 {
			t.Fatalf("conversation %d = %+v, want delivered at %v", i, c, wantDelivered)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct ids for %d conversations", len(ids), n)
	}

	// Listed newest first, the last seeded comes first, and every page is
	// served from the large mailbox.
	r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$top=1000"})
	wantStatus(t, r, http.StatusOK)
	values := r.values(t)
	if len(values) != 1000 || values[0]["id"] != seeded[n-1].ID || values[999]["id"] != seeded[n-1000].ID {
		t.Errorf("first page: %d items from %v, want 1000 from the newest", len(values), values[0]["id"])
	}

	if _, err := f.srv.SeedConversations(f.security.ID, 1, bob); err == nil {
		t.Error("seeding a group without a mailbox succeeded")
	}
	if _, err := f.srv.SeedConversations(f.team.ID, -1, bob); err == nil {
		t.Error("seeding -1 conversations succeeded")
	}
}

// BenchmarkSeedConversations5000 measures seeding the large mailbox of the
// make bench rows: well under a second is the target.
func BenchmarkSeedConversations5000(b *testing.B) {
	for b.Loop() {
		srv := New(Options{})
		g := srv.AddGroup(Group{GroupTypes: []string{"Unified"}})
		if _, err := srv.SeedConversations(g.ID, 5000, alice); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListLargeMailbox measures one page of a listing of a mailbox of
// 5000 conversations, newest first, as a refresh in the bench rows pages
// it.
func BenchmarkListLargeMailbox(b *testing.B) {
	srv := New(Options{Tokens: map[string]Principal{aliceToken: alice}, Behaviour: Behaviour{ListOrder: NewestFirst}})
	g := srv.AddGroup(Group{GroupTypes: []string{"Unified"}})
	if _, err := srv.SeedConversations(g.ID, 5000, alice); err != nil {
		b.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, "http://emulator.test/v1.0/groups/"+g.ID+"/conversations?$top=100&$skip=2500", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	for b.Loop() {
		w := discardResponse{header: http.Header{}}
		srv.ServeHTTP(&w, req)
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
	}
}

type discardResponse struct {
	header http.Header
	status int
}

func (d *discardResponse) Header() http.Header         { return d.header }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(status int)      { d.status = status }
