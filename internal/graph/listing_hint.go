package graph

import "time"

// A refresh's shared listing learns what the service does with a group's
// conversation list only by asking: the first listing of a run sends
// $filter on lastDeliveredDateTime, and where the service refuses it, reads
// a first page in the service's order. In a mailbox of thousands listed
// oldest first, those two requests serve nothing, and a refresh of N
// conversations costs N+2 requests where N GETs would do. What one run
// learnt is therefore handed to the next as a ListingHint: the caller keeps
// it with each conversation it reads (the provider, in private state) and
// passes it back with the next read, so a run in a service already known to
// refuse the filter sends no probe, and one already known to list the
// managed conversations beyond a first page reads them with GETs at once.
//
// A hint is only a hint. A finding older than listingHintMaxAge is ignored,
// so a service that changed is noticed within a day; a first page that
// serves none of the reads a hint said it would makes the group go back to
// the probe, as a run without hints does. Correctness never rests on a
// hint: a read a listing does not serve is read with its own GET, as ever.

// listingHintMaxAge is how long a finding of a hint is trusted. A finding
// is renewed only by a run that sees it again; a run the hint saved from
// the probe does not, so once a day one refresh asks again.
const listingHintMaxAge = 24 * time.Hour

// FirstPage is what a first page of a group's conversation list, in the
// service's order, did for the reads waiting on it.
type FirstPage int

const (
	// FirstPageUnknown: no first page in the service's order was read.
	FirstPageUnknown FirstPage = iota
	// FirstPageServed: it held a conversation a read waited for (a small
	// mailbox, or one listed newest first).
	FirstPageServed
	// FirstPageServedNone: it held none of them, and the list went on
	// beyond it (a large mailbox listed oldest first, or a $top that caps
	// the whole listing).
	FirstPageServedNone
)

// ListingHint is what a run learnt about listing one group's conversations,
// for the reads of a later run (see ReadConversation and Client.ListingHint).
// The zero value knows nothing.
type ListingHint struct {
	// FilterRefusedAt is when the service refused $filter on
	// lastDeliveredDateTime for the group's list; zero when it was not seen
	// to.
	FilterRefusedAt time.Time
	// FirstPage is what a first page in the service's order did, seen at
	// FirstPageAt; it is kept only with a refused filter, since only then
	// is such a page read.
	FirstPage   FirstPage
	FirstPageAt time.Time
}

// IsZero reports a hint that knows nothing.
func (h ListingHint) IsZero() bool {
	return h.FilterRefusedAt.IsZero() && h.FirstPage == FirstPageUnknown
}

// current drops the findings older than listingHintMaxAge at now, and a
// first page finding without a refused filter.
func (h ListingHint) current(now time.Time) ListingHint {
	if h.FilterRefusedAt.IsZero() || now.Sub(h.FilterRefusedAt) > listingHintMaxAge {
		return ListingHint{}
	}
	if h.FirstPage == FirstPageUnknown || now.Sub(h.FirstPageAt) > listingHintMaxAge {
		h.FirstPage, h.FirstPageAt = FirstPageUnknown, time.Time{}
	}
	return h
}

// ListingHint returns what this client learnt about listing a group's
// conversations, together with the hint it was given for the group and did
// not contradict: the hint to pass to ReadConversation in a later run. The
// zero value when it knows nothing.
func (c *Client) ListingHint(groupID string) ListingHint {
	return c.listings.hint(groupID)
}

// hint is ListingHint's answer.
func (ls *conversationListings) hint(groupID string) ListingHint {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	var h ListingHint
	g := ls.groups[groupID]
	if g != nil {
		h = g.hint
	}
	if !ls.filterRefusedAt.IsZero() {
		h.FilterRefusedAt = ls.filterRefusedAt
	}
	if g != nil {
		if g.filterHonoured {
			return ListingHint{}
		}
		if !g.firstPageAt.IsZero() {
			h.FirstPage, h.FirstPageAt = g.firstPage, g.firstPageAt
		}
	}
	if h.FilterRefusedAt.IsZero() {
		return ListingHint{}
	}
	return h
}

// noteFilterRefused records when the service refused the filter, for the
// hints of every group. The caller does not hold the lock.
func (ls *conversationListings) noteFilterRefused(at time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.filterRefusedAt = at
}

// takeHint seeds the group's mode with a read's hint: a filter known to be
// refused is not asked again, and a first page known to serve none is not
// read again. Only the first hint the group gets counts, and only before
// the run listed the group, since what the run sees itself is newer. The
// caller holds the lock.
func (g *groupListings) takeHint(h ListingHint, now time.Time) {
	if g.hintTaken || h.IsZero() || g.latest != nil && !g.latest.startedAt.IsZero() {
		return
	}
	g.hintTaken = true
	g.hint = h.current(now)
	if g.mode != listDeliveredSince || g.hint.FilterRefusedAt.IsZero() {
		return
	}
	g.mode = listInServiceOrder
	if g.hint.FirstPage == FirstPageServedNone {
		g.mode = readOneByOne
	}
}
