package graph

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Terraform refreshes every resource of a configuration at nearly the same
// moment, and one page of GET /groups/{id}/conversations carries the same
// properties as a GET of each conversation. So reads of conversations in one
// group are served from a shared listing of the group, read once for all
// the reads that arrive together, instead of one GET each: a refresh of 100
// conversations costs one request instead of 100 (and, at Exchange's 4
// requests in flight per mailbox, one round trip instead of 25).
//
// A listing never costs more requests than the GETs it replaces, less the
// first page: a group mailbox holds every mail ever sent to the group, often
// thousands of conversations, and where in the list the ones a refresh
// needs are is not known (Graph documents no order, and no page size). So a
// listing reads a page only while it has served more reads than it has read
// pages, and stops as soon as no read waits on it; the reads it could not
// serve are read with their own GET. A listing that stopped because no read
// waited is paused, not ended: a read arriving soon after, whose
// conversation it has not reached yet, resumes it from its nextLink.
//
// What a listing holds is narrowed with $filter on lastDeliveredDateTime:
// a conversation's last delivery only grows, so the one a refresh knows
// from the state is a lower bound, and the conversations delivered since
// the oldest bound among the reads waiting are every one they wait for and,
// in a mailbox of thousands, few others. A listing started by a refresh
// waits refreshGather for the reads arriving with it, so that its bound
// covers them all. Graph documents that filter only on its beta page; when
// the service refuses it, the reads are served by a listing in the service's
// order instead (one page serves a small mailbox, or one listed newest
// first) and the group is listed that way for the rest of the run. When a
// listing stops for its cost with reads still waiting, its group's
// conversations are read one by one with GETs for the rest of the run.
//
// Exactness is kept by falling back: a conversation missing from a listing
// (too new to be listed yet, deleted, or beyond where the listing stopped)
// is read with its own GET before it is declared gone. Listings live only as
// long as the reads that asked for them: a refresh accepts a listing whose
// last page is at most refreshListingMaxAge old, and a read right after a
// create only one that started after the create returned.
//
// A listing is sent as soon as a read needs one and none is in flight for
// the group; reads that cannot use the one in flight wait for the next,
// sent the moment the first pauses or ends, ahead of the other requests
// queued for the group's mailbox (see mailboxLimiter), since it completes
// several reads at once. Nothing waits for more reads to join: Terraform
// runs at most -parallelism operations at once, and an operation held open
// so that more creates can join its listing holds a slot no new create can
// use.
//
// A read right after a create shares a listing only while the group's
// mailbox is busy, that is while requests queue for its slots: then Graph's
// limit decides the apply's pace, and a listing saves requests for the
// creates. Otherwise (a few creates, -parallelism of 4 or less, creates
// spread over many groups) a GET answers sooner than a listing shared with
// creates still in flight, and costs Graph less than listing the group.
// Under make bench's W1 (100 creates in one group, -parallelism=10, 4
// requests in flight per mailbox) this reads about 1.5 requests per create
// where waiting for batches of 10 read 1.1, and the apply takes a quarter
// less time; at -parallelism=4 it is as fast as a GET each, where sharing
// listings regardless was a tenth slower.

// refreshListingMaxAge bounds how long after its last page a listing serves
// refreshes. Terraform reads every resource of a refresh within about this
// time, so a refresh costs one listing per group, while a plan run later
// never sees an earlier plan's data (each Terraform command also starts a
// new provider process).
const refreshListingMaxAge = 5 * time.Second

// refreshGather is how long a listing started by a refresh read waits for
// the reads arriving with it before it is sent: Terraform starts up to
// -parallelism reads at once, and they reach the provider within a few
// milliseconds of each other.
const refreshGather = 30 * time.Millisecond

// listingMode is how the reads of one group's conversations are served,
// for the rest of the run.
type listingMode int

const (
	// listDeliveredSince lists the conversations delivered since the
	// oldest last delivery among the reads waiting.
	listDeliveredSince listingMode = iota
	// listInServiceOrder lists the group without a filter: the service
	// refused it.
	listInServiceOrder
	// readOneByOne reads each conversation with its own GET: a listing
	// stopped for its cost.
	readOneByOne
)

// listingRead is one read waiting on a listing.
type listingRead struct {
	conversationID string
	// since is when the conversation was last delivered to, as far as the
	// reader knows: it is listed by any listing of the conversations
	// delivered since then or earlier. Zero when unknown.
	since time.Time
	// result receives the read's one outcome.
	result chan listingOutcome
}

// listingOutcome is what a listing did for a read: found it, or not.
type listingOutcome struct {
	conversation Conversation
	found        bool
}

// listing is one listing of a group's conversations, shared by the reads
// waiting on it. Its fields are guarded by conversationListings.mu, except
// pager, which only the read leading the listing uses.
type listing struct {
	// startedAt is when its first page was asked for; zero while queued.
	startedAt time.Time
	// filtered lists only the conversations delivered since since.
	filtered bool
	since    time.Time
	// refresh marks a listing started by a refresh, whose reads are every
	// managed conversation of the group: only its first page tells the
	// next run's hint anything (reads after creates wait for the newest
	// few, which an oldest-first page misses in any mailbox of more than a
	// page).
	refresh bool
	// top is the $top the listing was asked with: a service may take it as
	// a cap on the whole listing.
	top   int
	pager *pager[models.Conversationable, Conversation]
	// reads are the reads waiting for an outcome.
	reads []*listingRead
	byID  map[string]Conversation
	// pages read, and reads served from them.
	pages, served int
	// leading is set while a read is reading pages for the listing (or
	// waiting to); run is closed when it stops.
	leading bool
	run     chan struct{}
	// ended is set when the listing will read no more pages: it reached
	// the end of the list, stopped for its cost, or failed (err).
	ended      bool
	err        error
	lastPageAt time.Time
}

// groupListings holds, per group, how its reads are served, the newest
// listing and the one queued behind it while it is in flight, so at most
// one listing per group is in flight and every read waits for at most the
// one after it.
type groupListings struct {
	mode   listingMode
	latest *listing
	next   *listing
	// hint is what an earlier run learnt about the group (see takeHint),
	// hintTaken set once one was taken; a hint a first page contradicted
	// is dropped.
	hint      ListingHint
	hintTaken bool
	// What this run saw: a listing by delivery the service answered, and
	// what the first page of a listing in the service's order did.
	filterHonoured bool
	firstPage      FirstPage
	firstPageAt    time.Time
}

type conversationListings struct {
	mu     sync.Mutex
	groups map[string]*groupListings
	// filterRefusedAt is when this run saw the service refuse $filter on
	// lastDeliveredDateTime; zero when it did not.
	filterRefusedAt time.Time
}

func newConversationListings() *conversationListings {
	return &conversationListings{groups: make(map[string]*groupListings)}
}

func newListing() *listing {
	return &listing{byID: make(map[string]Conversation), leading: true, run: make(chan struct{})}
}

// answer gives a read its outcome. The caller holds the lock.
func (l *listing) answer(r *listingRead, outcome listingOutcome) {
	if outcome.found {
		l.served++
	}
	r.result <- outcome
}

// release answers every read still waiting with "not listed". The caller
// holds the lock.
func (l *listing) release() {
	for _, r := range l.reads {
		l.answer(r, listingOutcome{})
	}
	l.reads = nil
}

// stopLeading marks the listing as not being read. The caller holds the
// lock.
func (l *listing) stopLeading() {
	if l.leading {
		l.leading = false
		close(l.run)
	}
}

// joinResult is what join decided for a read.
type joinResult struct {
	l *listing
	// lead asks the read to read the listing's pages, after waiting for
	// ahead (the listing in flight before it), when that is not nil.
	lead  bool
	ahead <-chan struct{}
	// fresh marks a new listing nothing is in flight ahead of: a refresh
	// lets the reads arriving with it join before it is sent.
	fresh bool
}

// adjust brings the group's mode up to date with what the client learnt:
// a refused filter lists in the service's order, unless this run already
// saw a first page of that order serve none of its reads. The caller holds
// the lock.
func (g *groupListings) adjust(filterRefused bool) {
	if g.mode == listDeliveredSince && filterRefused {
		g.mode = listInServiceOrder
	}
	if g.mode == listInServiceOrder && g.firstPage == FirstPageServedNone && !g.firstPageAt.IsZero() {
		g.mode = readOneByOne
	}
}

// join finds the listing a read can be served by, or reports (ok false)
// that it must be read on its own. notBefore is the earliest start a
// listing may have (a listing not started yet qualifies); maxAge how old
// its last page may be; hint what an earlier run learnt about the group. A
// read the listing has already seen is answered at once.
func (ls *conversationListings) join(groupID string, r *listingRead, notBefore time.Time, maxAge time.Duration, filterRefused bool, hint ListingHint) (joinResult, bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	g := ls.groups[groupID]
	if g == nil {
		g = &groupListings{}
		ls.groups[groupID] = g
	}
	g.takeHint(hint, time.Now())
	g.adjust(filterRefused)
	if g.mode == readOneByOne || g.mode == listDeliveredSince && r.since.IsZero() {
		return joinResult{}, false
	}
	if l := g.latest; l != nil && l.usableFor(r, g.mode, notBefore, maxAge) {
		if cv, ok := l.byID[r.conversationID]; ok {
			l.answer(r, listingOutcome{conversation: cv, found: true})
			return joinResult{l: l}, true
		}
		if l.leading {
			l.reads = append(l.reads, r)
			return joinResult{l: l}, true
		}
		if l.ended || l.served < l.pages {
			// It has reached the end, or cannot afford another page: a
			// page it reads must be paid for by a read it served.
			return joinResult{}, false
		}
		// Paused: resume it from where it stopped.
		l.reads = append(l.reads, r)
		l.leading, l.run = true, make(chan struct{})
		return joinResult{l: l, lead: true}, true
	}
	if g.next != nil {
		g.next.reads = append(g.next.reads, r)
		return joinResult{l: g.next}, true
	}
	l := newListing()
	l.refresh = notBefore.IsZero()
	l.reads = append(l.reads, r)
	if g.latest != nil && g.latest.leading {
		// Queue behind the listing in flight: this read cannot use it.
		g.next = l
		return joinResult{l: l, lead: true, ahead: g.latest.run}, true
	}
	g.latest = l
	return joinResult{l: l, lead: true, fresh: true}, true
}

// usableFor reports whether the listing can serve r: it is not stale, it
// started no earlier than notBefore, it lists the way the group is listed
// now, and, filtered, it lists r's conversation. A listing not started yet
// takes its shape from its reads when it starts. The caller holds the lock.
func (l *listing) usableFor(r *listingRead, mode listingMode, notBefore time.Time, maxAge time.Duration) bool {
	if l.startedAt.IsZero() {
		return true
	}
	switch {
	case l.err != nil, l.startedAt.Before(notBefore), l.filtered != (mode == listDeliveredSince):
		return false
	case l.filtered && (r.since.IsZero() || l.since.After(r.since)):
		return false
	case !l.leading && time.Since(l.lastPageAt) > maxAge:
		return false
	}
	return true
}

// start fixes how a queued listing lists, from the group's mode and its
// reads, and marks it as the group's latest. It reports false when the
// listing is not to be sent at all (the group is now read one by one, or
// no read it holds can be served by delivery), having released its reads.
func (ls *conversationListings) start(groupID string, l *listing, filterRefused bool) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	g := ls.groups[groupID]
	if g.next == l {
		g.next = nil
	}
	g.latest = l
	l.startedAt = time.Now()
	g.adjust(filterRefused)
	switch g.mode {
	case readOneByOne:
		l.ended = true
		l.release()
		l.stopLeading()
		return false
	case listDeliveredSince:
		l.filtered = true
		waiting := l.reads[:0]
		for _, r := range l.reads {
			if r.since.IsZero() {
				// No bound: a filtered listing cannot promise to list it.
				l.answer(r, listingOutcome{})
				continue
			}
			if l.since.IsZero() || r.since.Before(l.since) {
				l.since = r.since
			}
			waiting = append(waiting, r)
		}
		l.reads = waiting
		if len(l.reads) == 0 {
			l.ended = true
			l.stopLeading()
			return false
		}
	}
	return true
}

// page takes a page the leader read and answers the reads it serves. It
// reports whether the leader should read the next page: there is one, a
// read still waits, and the listing serves more reads than it has read
// pages. A listing in the service's order serves the reads it has found; a
// listing by delivery also every read still waiting, since each of their
// conversations was delivered since its bound and so is on one of its
// pages (a conversation deleted meanwhile aside). A listing that stops for
// its cost with reads waiting, or that ended after exactly the $top it
// asked for with reads waiting (a service that takes $top as a cap on the
// whole listing may have cut it there), makes its group's reads go one by
// one.
//
// A first page in the service's order is what the next run's hint keeps
// (see ListingHint). When it serves none of the reads a hint said it would,
// the service is not the one the hint saw: the hint is dropped and the
// reads go to successor, a listing by delivery, which the leader reads
// next, as a run without hints would have begun.
func (ls *conversationListings) page(groupID string, l *listing, items []Conversation, more bool, received int) (goOn bool, successor *listing) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	g := ls.groups[groupID]
	l.pages++
	l.lastPageAt = time.Now()
	for _, cv := range items {
		l.byID[cv.ID] = cv
	}
	waiting := l.reads[:0]
	for _, r := range l.reads {
		if cv, ok := l.byID[r.conversationID]; ok {
			l.answer(r, listingOutcome{conversation: cv, found: true})
			continue
		}
		waiting = append(waiting, r)
	}
	l.reads = waiting
	cut := !more && l.top > 0 && received == l.top
	if l.filtered {
		g.filterHonoured = true
	} else if l.pages == 1 && l.refresh {
		switch {
		case l.served > 0:
			g.firstPage, g.firstPageAt = FirstPageServed, l.lastPageAt
		case len(l.reads) > 0 && (more || cut):
			g.firstPage, g.firstPageAt = FirstPageServedNone, l.lastPageAt
			if g.hint.FirstPage == FirstPageServed && ls.filterRefusedAt.IsZero() {
				return false, ls.dropHint(g, l)
			}
		}
	}
	serves := l.served
	if l.filtered {
		serves += len(l.reads)
	}
	switch {
	case len(l.reads) == 0 && more:
		// Paused: a read arriving later may resume it.
	case len(l.reads) == 0, !more && !cut:
		l.ended = true
		l.release()
	case more && serves > l.pages:
		return true, nil
	default:
		l.ended = true
		g.mode = readOneByOne
		l.release()
	}
	l.stopLeading()
	return false, nil
}

// dropHint ends a listing whose first page contradicted the group's hint,
// forgets the hint, and hands the listing's reads to a listing by delivery:
// successor, or the listing queued behind it (whose own leader reads it,
// so successor is then nil). The caller holds the lock.
func (ls *conversationListings) dropHint(g *groupListings, l *listing) (successor *listing) {
	g.hint = ListingHint{}
	g.mode = listDeliveredSince
	l.ended = true
	successor = g.handOverReads(l)
	l.stopLeading()
	return successor
}

// handOverReads moves a listing's reads to the listing queued behind it, or
// to a new listing when none is queued, and returns the listing the caller
// must read next: the new one, or nil when the queued listing's own leader
// reads it. The caller holds the lock.
func (g *groupListings) handOverReads(l *listing) (successor *listing) {
	successor = g.next
	if successor == nil {
		successor = newListing()
		successor.refresh = l.refresh
		g.latest = successor
	}
	successor.reads = append(successor.reads, l.reads...)
	l.reads = nil
	if g.next != nil {
		// The queued listing's own leader reads it.
		return nil
	}
	return successor
}

// fail ends a listing that could not be read; its reads are read on their
// own. When the service refused the listing's filter, the group is listed
// in the service's order from then on, and successor is that listing,
// which the leader reads next, holding the failed listing's reads.
func (ls *conversationListings) fail(groupID string, l *listing, err error, filterRefused bool) (successor *listing) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	g := ls.groups[groupID]
	if g.next == l {
		g.next = nil
	}
	l.err, l.ended = err, true
	if l.startedAt.IsZero() {
		l.startedAt = time.Now()
	}
	if filterRefused {
		g.adjust(true)
		if g.mode == listInServiceOrder && len(l.reads) > 0 {
			successor = g.handOverReads(l)
		}
	}
	l.release()
	l.stopLeading()
	return successor
}

// lead reads a listing's pages for the reads waiting on it, after the
// listing ahead of it (if any) stopped, or after gather when it is new:
// until page says to stop; then the listing that took over its reads, if
// fail made one.
func (c *Client) lead(ctx context.Context, groupID string, l *listing, ahead <-chan struct{}, gather time.Duration) {
	var wait <-chan time.Time
	switch {
	case ahead != nil:
	case gather > 0:
		timer := time.NewTimer(gather)
		defer timer.Stop()
		wait = timer.C
	}
	if ahead != nil || wait != nil {
		select {
		case <-ahead:
		case <-wait:
		case <-ctx.Done():
			// Nobody else will read this listing; fail it so that its
			// other reads fall back to their own GETs.
			c.listings.fail(groupID, l, ctx.Err(), false)
			return
		}
	}
	for l != nil {
		l = c.readListing(ctx, groupID, l)
	}
}

// readListing reads a listing's pages until page says to stop, and returns
// the listing to read next, if any.
func (c *Client) readListing(ctx context.Context, groupID string, l *listing) *listing {
	ctx = withMailboxPriority(ctx)
	if l.pager == nil {
		if !c.listings.start(groupID, l, c.filterRefused.Load()) {
			return nil
		}
		request := conversationListRequest{top: true}
		l.top = listingPageSize
		if l.filtered {
			request.since = l.since
		}
		p, err := c.conversationPager(ctx, groupID, request)
		if err != nil {
			c.listings.fail(groupID, l, err, false)
			return nil
		}
		l.pager = p
	}
	for {
		items, more, err := l.pager.next(ctx)
		if err != nil {
			refused := l.filtered && isFilterRefusal(err)
			if refused {
				c.noteFilterRefused(ctx, err)
			}
			tflog.Debug(ctx, "Listing group conversations for reads arriving together failed", map[string]any{
				"group_id": groupID, "error": err.Error(), "filter_refused": refused,
			})
			return c.listings.fail(groupID, l, err, refused)
		}
		goOn, successor := c.listings.page(groupID, l, items, more, l.pager.received)
		tflog.Debug(ctx, "Listed a page of group conversations for reads arriving together", map[string]any{
			"group_id": groupID, "conversations": len(items), "filtered": l.filtered, "more": more, "continue": goOn,
		})
		if successor != nil {
			tflog.Debug(ctx, "The first page of the group's list served none of the reads an earlier run's hint said it would; "+
				"asking with the filter again", map[string]any{"group_id": groupID})
		}
		if !goOn {
			return successor
		}
	}
}

// listedConversation returns the conversation from a listing shared with
// other reads of the group, or ok=false when it must be read on its own:
// no listing lists it, or the group's reads go one by one.
func (c *Client) listedConversation(ctx context.Context, groupID, conversationID string, since, notBefore time.Time, maxAge, gather time.Duration, hint ListingHint) (Conversation, bool) {
	r := &listingRead{conversationID: conversationID, since: since, result: make(chan listingOutcome, 1)}
	joined, ok := c.listings.join(groupID, r, notBefore, maxAge, c.filterRefused.Load(), hint)
	if !ok {
		return Conversation{}, false
	}
	if joined.lead {
		if !joined.fresh {
			gather = 0
		}
		c.lead(ctx, groupID, joined.l, joined.ahead, gather)
	}
	select {
	case outcome := <-r.result:
		return outcome.conversation, outcome.found
	case <-ctx.Done():
		return Conversation{}, false
	}
}

// ReadConversation reads a conversation during a refresh. deliveredSince is
// when it was last delivered to as far as the caller knows (its last
// refresh), or zero; hint is what an earlier run learnt about listing the
// group (Client.ListingHint then), or zero. With coalescing on, it is served
// from a listing of its group shared with the other reads of the refresh,
// shaped by the hint; a conversation the listing lacks is read with its own
// GET, so a 404 still means it is gone.
func (c *Client) ReadConversation(ctx context.Context, groupID, conversationID string, deliveredSince time.Time, hint ListingHint) (Conversation, error) {
	if c.coalesceReads {
		if conversation, ok := c.listedConversation(ctx, groupID, conversationID, deliveredSince, time.Time{}, refreshListingMaxAge, refreshGather, hint); ok {
			return conversation, nil
		}
	}
	return c.GetConversation(ctx, groupID, conversationID)
}

// ReadNewConversation reads a conversation this client created at
// createdAt, waiting for Exchange to show it. With coalescing on and the
// group's mailbox busy, creates finishing together share a listing that
// started after they returned; one the listing lacks (not listed yet) is
// waited for with its own GETs.
func (c *Client) ReadNewConversation(ctx context.Context, groupID, conversationID string, createdAt time.Time) (Conversation, error) {
	if c.coalesceReads && c.limiter.busy(groupID) {
		// Graph's clock may run behind ours.
		since := createdAt.Add(-clockSkew)
		if conversation, ok := c.listedConversation(ctx, groupID, conversationID, since, createdAt, refreshListingMaxAge, 0, ListingHint{}); ok {
			return conversation, nil
		}
	}
	return c.WaitForConversation(ctx, groupID, conversationID)
}
