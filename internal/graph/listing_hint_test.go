package graph

import (
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// hintedClient is a new client, as each Terraform command starts a new
// provider process, with coalescing on.
func hintedClient(t *testing.T, env *testEnv) *Client {
	t.Helper()
	return env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
}

// refreshWithHint reads every managed conversation as a refresh does, each
// with the hint its state holds, and returns the list requests and GETs it
// took and the errors by id.
func refreshWithHint(t *testing.T, env *testEnv, c *Client, managed []emulator.Conversation, hint ListingHint) (lists, gets int, errs map[string]error) {
	t.Helper()
	ctx := testContext(t)
	since := make(map[string]time.Time, len(managed))
	ids := make([]string, 0, len(managed))
	for _, m := range managed {
		since[m.ID] = m.LastDeliveredDateTime
		ids = append(ids, m.ID)
	}
	env.server.ResetCounters()
	errs = readAll(t, ids, 10, func(id string) (Conversation, error) {
		return c.ReadConversation(ctx, env.group.ID, id, since[id], hint)
	})
	counters := env.server.Counters()
	return counters["conversations.list"], counters["conversations.get"], errs
}

func requireRead(t *testing.T, errs map[string]error) {
	t.Helper()
	for id, err := range errs {
		if err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
}

// A refresh that carries what the previous run learnt asks nothing the
// previous run already asked: with the filter known to be refused no probe,
// and with a first page known to serve none of the managed conversations
// no page either. Without the hint (the first run) the costs are today's.
func TestListingHintSparesTheQuestionsOfThePreviousRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		opts             emulator.Options
		seeded, managed  int
		firstLists       int // the first run: no hint
		firstGets        int
		wantHint         FirstPage
		wantRefused      bool
		secondLists      int // the next run, with the first run's hint
		secondGets       int
		secondCostsAtMax int // what the bench targets: at most this many requests
	}{
		// Oldest first behind a page cap: the probe, a page that serves
		// nothing, a GET each; then a GET each and nothing more.
		{"oldest first, filter refused", emulator.Options{MaxPageSize: 10},
			300, 6, 2, 6, FirstPageServedNone, true, 0, 6, 6},
		// $top taken as a cap on the whole listing cuts the first page's
		// listing short of the managed conversations.
		{"$top caps the total, filter refused", emulator.Options{Behaviour: emulator.Behaviour{TopCapsTotal: true}},
			1500, 5, 2, 5, FirstPageServedNone, true, 0, 5, 5},
		// Newest first: the probe and a page; then the page alone.
		{"newest first, filter refused", emulator.Options{MaxPageSize: 10, Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}},
			300, 6, 2, 0, FirstPageServed, true, 1, 0, 1},
		// A small mailbox is one page in any order.
		{"small mailbox, filter refused", emulator.Options{}, 20, 8, 2, 0, FirstPageServed, true, 1, 0, 1},
		// The filter honoured: nothing to remember, one listing each time.
		{"filter honoured", emulator.Options{MaxPageSize: 10, Behaviour: emulator.Behaviour{FilterLastDelivered: true}},
			300, 6, 1, 0, FirstPageUnknown, false, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Latency = 10 * time.Millisecond
			env := newTestEnv(t, tt.opts)
			managed := largeMailbox(t, env, tt.seeded, tt.managed)

			first := hintedClient(t, env)
			lists, gets, errs := refreshWithHint(t, env, first, managed, ListingHint{})
			requireRead(t, errs)
			if lists != tt.firstLists || gets != tt.firstGets {
				t.Errorf("first run: %d list requests and %d GETs, want %d and %d", lists, gets, tt.firstLists, tt.firstGets)
			}
			hint := first.ListingHint(env.group.ID)
			if hint.FirstPage != tt.wantHint || hint.FilterRefusedAt.IsZero() == tt.wantRefused {
				t.Fatalf("the first run learnt %+v, want first page %v and filter refused %v", hint, tt.wantHint, tt.wantRefused)
			}

			second := hintedClient(t, env)
			lists, gets, errs = refreshWithHint(t, env, second, managed, hint)
			requireRead(t, errs)
			if lists != tt.secondLists || gets != tt.secondGets {
				t.Errorf("second run, with the first run's hint: %d list requests and %d GETs, want %d and %d",
					lists, gets, tt.secondLists, tt.secondGets)
			}
			if lists+gets > tt.secondCostsAtMax {
				t.Errorf("second run: %d requests for %d conversations, more than %d", lists+gets, tt.managed, tt.secondCostsAtMax)
			}
			// The hint it passes on says what the one it got said: nothing
			// it saw contradicted it.
			if again := second.ListingHint(env.group.ID); again.FirstPage != hint.FirstPage || again.FilterRefusedAt.IsZero() != hint.FilterRefusedAt.IsZero() {
				t.Errorf("the second run passes on %+v, want what the hint it got said, %+v", again, hint)
			}
		})
	}
}

// A hint from a service that has since changed costs at most what a run
// without hints costs, and is corrected: a first page that serves none of
// the reads the hint said it would sends the group back to the probe; an
// old hint is not trusted.
func TestStaleListingHintFallsBack(t *testing.T) {
	t.Parallel()
	now := time.Now()
	servedHint := ListingHint{FilterRefusedAt: now.Add(-time.Hour), FirstPage: FirstPageServed, FirstPageAt: now.Add(-time.Hour)}
	noneHint := ListingHint{FilterRefusedAt: now.Add(-time.Hour), FirstPage: FirstPageServedNone, FirstPageAt: now.Add(-time.Hour)}
	expired := ListingHint{FilterRefusedAt: now.Add(-25 * time.Hour), FirstPage: FirstPageServedNone, FirstPageAt: now.Add(-25 * time.Hour)}
	tests := []struct {
		name        string
		behaviour   emulator.Behaviour
		hint        ListingHint
		wantLists   int
		wantGets    int
		wantRefused bool
		wantPage    FirstPage
	}{
		// The hint saw newest first; the service now lists oldest first
		// and takes the filter: the wasted page, then the filtered listing.
		{"said newest first, now oldest first with the filter", emulator.Behaviour{FilterLastDelivered: true}, servedHint, 2, 0, false, FirstPageUnknown},
		// ... and still refuses it: the page, the probe, a GET each, as a
		// run without hints pays (the probe, the page, a GET each).
		{"said newest first, now oldest first", emulator.Behaviour{}, servedHint, 2, 6, true, FirstPageServedNone},
		// A day-old hint is not trusted: the run asks again, and learns
		// that the filter is honoured now.
		{"expired, filter honoured now", emulator.Behaviour{FilterLastDelivered: true}, expired, 1, 0, false, FirstPageUnknown},
		// A fresh hint that a first page serves none is trusted as long as
		// it is fresh, even if the service now takes the filter: a GET
		// each, which is what it saves in the service it saw.
		{"fresh, filter honoured now", emulator.Behaviour{FilterLastDelivered: true}, noneHint, 0, 6, true, FirstPageServedNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{MaxPageSize: 10, Latency: 10 * time.Millisecond, Behaviour: tt.behaviour})
			managed := largeMailbox(t, env, 300, 6)
			c := hintedClient(t, env)
			lists, gets, errs := refreshWithHint(t, env, c, managed, tt.hint)
			requireRead(t, errs)
			if lists != tt.wantLists || gets != tt.wantGets {
				t.Errorf("%d list requests and %d GETs, want %d and %d", lists, gets, tt.wantLists, tt.wantGets)
			}
			got := c.ListingHint(env.group.ID)
			if got.FilterRefusedAt.IsZero() == tt.wantRefused || got.FirstPage != tt.wantPage {
				t.Errorf("passes on %+v, want filter refused %v and first page %v", got, tt.wantRefused, tt.wantPage)
			}
		})
	}
}

// Correctness does not rest on a hint: a conversation deleted since the
// last run is still reported gone, whether the hint sends its read to a
// GET or to a listing in the service's order.
func TestListingHintKeepsNotFound(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for name, tt := range map[string]struct {
		behaviour emulator.Behaviour
		page      FirstPage
	}{
		"read one by one":         {emulator.Behaviour{}, FirstPageServedNone},
		"listed in service order": {emulator.Behaviour{ListOrder: emulator.NewestFirst}, FirstPageServed},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{MaxPageSize: 10, Latency: 10 * time.Millisecond, Behaviour: tt.behaviour})
			managed := largeMailbox(t, env, 100, 4)
			if !env.server.DeleteConversation(env.group.ID, managed[1].ID) {
				t.Fatal("could not delete a managed conversation")
			}
			hint := ListingHint{FilterRefusedAt: now, FirstPage: tt.page, FirstPageAt: now}
			_, _, errs := refreshWithHint(t, env, hintedClient(t, env), managed, hint)
			for _, m := range managed {
				err := errs[m.ID]
				switch {
				case m.ID == managed[1].ID && !IsNotFound(err):
					t.Errorf("the deleted conversation: %v, want not found", err)
				case m.ID != managed[1].ID && err != nil:
					t.Errorf("read %s: %v", m.ID, err)
				}
			}
		})
	}
}

// Reads of one refresh may carry different hints (an imported conversation
// has none); the group is listed by the first hint it gets, and reads
// without one follow it.
func TestReadsWithoutAHintFollowTheGroup(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{MaxPageSize: 10, Latency: 10 * time.Millisecond})
	managed := largeMailbox(t, env, 300, 6)
	now := time.Now()
	hint := ListingHint{FilterRefusedAt: now, FirstPage: FirstPageServedNone, FirstPageAt: now}
	c := hintedClient(t, env)
	ctx := testContext(t)
	ids := make([]string, 0, len(managed))
	byID := map[string]emulator.Conversation{}
	for _, m := range managed {
		ids = append(ids, m.ID)
		byID[m.ID] = m
	}
	env.server.ResetCounters()
	// The first read carries the hint, and the others arrive while the
	// group is read one by one.
	if _, err := c.ReadConversation(ctx, env.group.ID, ids[0], byID[ids[0]].LastDeliveredDateTime, hint); err != nil {
		t.Fatal(err)
	}
	requireRead(t, readAll(t, ids[1:], 10, func(id string) (Conversation, error) {
		return c.ReadConversation(ctx, env.group.ID, id, byID[id].LastDeliveredDateTime, ListingHint{})
	}))
	if counters := env.server.Counters(); counters["conversations.list"] != 0 || counters["conversations.get"] != len(managed) {
		t.Errorf("counters %v, want a GET each and no listing", counters)
	}
}

func TestListingHintExpires(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	hour := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	for _, tt := range []struct {
		name string
		in   ListingHint
		want ListingHint
	}{
		{"fresh", ListingHint{hour(1), FirstPageServed, hour(2)}, ListingHint{hour(1), FirstPageServed, hour(2)}},
		{"old refusal", ListingHint{hour(25), FirstPageServed, hour(2)}, ListingHint{}},
		{"old first page", ListingHint{hour(1), FirstPageServedNone, hour(25)}, ListingHint{FilterRefusedAt: hour(1)}},
		{"first page without a refusal", ListingHint{FirstPage: FirstPageServed, FirstPageAt: hour(1)}, ListingHint{}},
		{"zero", ListingHint{}, ListingHint{}},
	} {
		if got := tt.in.current(now); got != tt.want {
			t.Errorf("%s: current = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
