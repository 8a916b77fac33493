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
		return c.ReadConversation(ctx, groupID, id, since[id])
	}) {
		if err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
}

// A shared listing never costs more requests than the GETs it replaces, but
// for pages that served nothing: at most one per listing, and a refresh in
// a large mailbox makes at most two such listings (in the service's order,
// then by delivery) before it reads one by one.
func TestListingCostIsBoundedByTheReadsItServes(t *testing.T) {
	t.Parallel()
	filter := emulator.Behaviour{FilterLastDelivered: true}
	tests := []struct {
		name        string
		opts        emulator.Options
		seeded      int
		managed     int
		wantLists   int // exact, or -1 for "at most maxRequests"
		wantGets    int
		maxRequests int
	}{
		// Oldest first behind a page cap: the first page serves nothing,
		// and the filter is refused, so each conversation is read on its
		// own: one page, one refused filter, and a GET each.
		{"oldest first, filter refused", emulator.Options{MaxPageSize: 10}, 300, 5, 2, 5, 7},
		// With the filter honoured, the listing by delivery holds exactly
		// the managed conversations.
		{"oldest first, filter honoured", emulator.Options{MaxPageSize: 10, Behaviour: filter}, 300, 5, 2, 0, 2},
		{"oldest first, filter honoured, $top caps the total",
			emulator.Options{MaxPageSize: 1000, Behaviour: emulator.Behaviour{FilterLastDelivered: true, TopCapsTotal: true}}, 1500, 8, 2, 0, 2},
		// Newest first, the first page holds them all.
		{"newest first", emulator.Options{MaxPageSize: 10, Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}}, 300, 5, 1, 0, 1},
		// A small mailbox is one page, whatever the order.
		{"small mailbox", emulator.Options{}, 20, 30, 1, 0, 1},
		// More managed conversations than a page, by delivery: a few
		// listings, never more than the GETs.
		{"oldest first, filter honoured, many", emulator.Options{MaxPageSize: 10, Behaviour: filter}, 300, 40, -1, 0, 41},
		{"oldest first, filter refused, many", emulator.Options{MaxPageSize: 10}, 300, 40, -1, -1, 42},
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
