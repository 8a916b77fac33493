package graph

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// largeMailbox seeds a group with seeded conversations delivered before
// managed ones, which are created after them (the conversations a refresh
// reads), and returns the managed ones.
func largeMailbox(t *testing.T, env *testEnv, seeded, managed int) []emulator.Conversation {
	t.Helper()
	if _, err := env.server.SeedConversations(env.group.ID, seeded, emulator.Principal{DisplayName: "Archive"}); err != nil {
		t.Fatal(err)
	}
	// Managed conversations come a second after the last seeded one, as a
	// configuration applied after the mailbox filled up.
	time.Sleep(time.Second)
	out := make([]emulator.Conversation, 0, managed)
	for i := range managed {
		c, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("managed ", i),
			emulator.ItemBody{ContentType: "text", Content: "x"}, nil, emulator.Principal{DisplayName: "Terraform"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// refreshAll reads every managed conversation as a refresh does, with the
// last delivery the state would hold, and checks each came back.
func refreshAll(t *testing.T, c *Client, groupID string, managed []emulator.Conversation) {
	t.Helper()
	ctx := testContext(t)
	since := make(map[string]time.Time, len(managed))
	ids := make([]string, 0, len(managed))
	for _, m := range managed {
		since[m.ID] = m.LastDeliveredDateTime
		ids = append(ids, m.ID)
	}
	for id, err := range readAll(t, ids, 10, func(id string) (Conversation, error) {
		return c.ReadConversation(ctx, groupID, id, since[id], ListingHint{})
	}) {
		if err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
}

// A shared listing never costs more requests than the GETs it replaces, but
// for a first page that served nothing; a refresh in a large mailbox lists
// by delivery, where the service takes the filter, and otherwise pays for
// the refusal once and for one page in the service's order before it reads
// one by one.
func TestListingCostIsBoundedByTheReadsItServes(t *testing.T) {
	t.Parallel()
	filter := emulator.Behaviour{FilterLastDelivered: true}
	tests := []struct {
		name        string
		opts        emulator.Options
		seeded      int
		managed     int
		wantLists   int // list requests, the refused filter included; -1: see maxRequests
		wantGets    int // -1: see maxRequests
		maxRequests int
	}{
		// Oldest first behind a page cap, the filter refused: the refusal,
		// a first page that serves nothing, and a GET each.
		{"oldest first, filter refused", emulator.Options{MaxPageSize: 10}, 300, 5, 2, 5, 7},
		{"oldest first, filter refused, many", emulator.Options{MaxPageSize: 10}, 300, 40, 2, 40, 42},
		// With the filter honoured, one listing holds exactly the managed
		// conversations, whatever the order, page cap and $top.
		{"oldest first, filter honoured", emulator.Options{MaxPageSize: 10, Behaviour: filter}, 300, 5, 1, 0, 1},
		{"oldest first, filter honoured, $top caps the total",
			emulator.Options{Behaviour: emulator.Behaviour{FilterLastDelivered: true, TopCapsTotal: true}}, 1500, 8, 1, 0, 1},
		{"newest first, filter honoured",
			emulator.Options{MaxPageSize: 10, Behaviour: emulator.Behaviour{FilterLastDelivered: true, ListOrder: emulator.NewestFirst}}, 300, 5, 1, 0, 1},
		// More managed conversations than a page: a few listings, far
		// fewer requests than GETs.
		{"oldest first, filter honoured, many", emulator.Options{MaxPageSize: 10, Behaviour: filter}, 300, 40, -1, 0, 10},
		// A listing by delivery holds every conversation a waiting read
		// needs, so it may read a page per read waiting: at a page cap of
		// 10, a hundred conversations take ten pages, not a GET each.
		{"oldest first, filter honoured, page cap 10, a hundred", emulator.Options{MaxPageSize: 10, Behaviour: filter}, 300, 100, -1, 0, 12},
		// The filter refused, newest first or a small mailbox: the refusal
		// and one page.
		{"newest first, filter refused", emulator.Options{MaxPageSize: 10, Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}}, 300, 5, 2, 0, 2},
		{"small mailbox, filter refused", emulator.Options{}, 20, 30, 2, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Latency = 20 * time.Millisecond
			env := newTestEnv(t, tt.opts)
			managed := largeMailbox(t, env, tt.seeded, tt.managed)
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
			env.server.ResetCounters()
			refreshAll(t, c, env.group.ID, managed)
			counters := env.server.Counters()
			lists, gets := counters["conversations.list"], counters["conversations.get"]
			t.Logf("%d reads: %d list pages, %d gets", tt.managed, lists, gets)
			if lists+gets > tt.maxRequests {
				t.Errorf("%d reads took %d list pages and %d GETs, more than %d", tt.managed, lists, gets, tt.maxRequests)
			}
			if tt.wantLists >= 0 && lists != tt.wantLists {
				t.Errorf("list pages = %d, want %d", lists, tt.wantLists)
			}
			if tt.wantGets >= 0 && gets != tt.wantGets {
				t.Errorf("GETs = %d, want %d", gets, tt.wantGets)
			}
		})
	}
}

// Once a group's listing stopped for its cost and the filter was refused,
// the rest of the run reads that group one by one: no listing wastes a page
// again.
func TestRefusedFilterIsRememberedForTheRun(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{MaxPageSize: 10, Latency: 10 * time.Millisecond})
	managed := largeMailbox(t, env, 100, 3)
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
	refreshAll(t, c, env.group.ID, managed)
	env.server.ResetCounters()
	refreshAll(t, c, env.group.ID, managed)
	if counters := env.server.Counters(); counters["conversations.list"] != 0 || counters["conversations.get"] != 3 {
		t.Errorf("a second refresh in the same run: %v, want 3 GETs and no listing", counters)
	}
}

// A read that knows no last delivery (the first refresh after an import
// that had none) cannot be promised by a listing by delivery: it is read
// with its own GET, and the others still share a listing.
func TestReadsWithoutALastDeliveryAreGets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Latency: 20 * time.Millisecond, Behaviour: emulator.Behaviour{FilterLastDelivered: true}})
	managed := largeMailbox(t, env, 50, 6)
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
	ctx := testContext(t)
	ids := make([]string, 0, len(managed))
	since := make(map[string]time.Time)
	for i, m := range managed {
		ids = append(ids, m.ID)
		if i%2 == 0 {
			since[m.ID] = m.LastDeliveredDateTime
		}
	}
	for id, err := range readAll(t, ids, 10, func(id string) (Conversation, error) {
		return c.ReadConversation(ctx, env.group.ID, id, since[id], ListingHint{})
	}) {
		if err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
	if counters := env.server.Counters(); counters["conversations.list"] != 1 || counters["conversations.get"] != 3 {
		t.Errorf("counters %v, want 1 listing and 3 GETs", counters)
	}
}
