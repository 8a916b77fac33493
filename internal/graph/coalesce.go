package graph

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Terraform refreshes every resource of a configuration at nearly the same
// moment, and one page of GET /groups/{id}/conversations carries the same
// properties as a GET of each conversation. So reads of conversations in one
// group are served from a shared listing of the group, fetched once for all
// the reads that arrive together, instead of one GET each: a refresh of 100
// conversations costs one request instead of 100 (and, at Exchange's 4
// requests in flight per mailbox, one round trip instead of 25).
//
// Exactness is kept by falling back: a conversation missing from a listing
// (too new to be listed yet, or deleted) is read with its own GET before it
// is declared gone. Listings live only as long as the reads that asked for
// them: a refresh accepts a listing at most refreshListingMaxAge old, and a
// read right after a create only one that started after the create returned.
//
// A listing is sent as soon as a read needs one and none is in flight for
// the group; reads that arrive meanwhile wait for the next one, which is
// sent the moment the first answers, ahead of the other requests queued for
// the group's mailbox (see mailboxLimiter), since it completes several reads
// at once. Nothing waits for more reads to join: Terraform runs at most
// -parallelism operations at once, and an operation held open so that more
// creates can join its listing holds a slot no new create can use.
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

// listingPageSize is the page size asked for. Graph documents no $top for
// this list; a smaller page the service imposes is followed by nextLink.
const listingPageSize int32 = 1000

// refreshListingMaxAge bounds how long a finished listing serves refreshes.
// Terraform reads every resource of a refresh within about this time, so a
// refresh costs one listing per group, while a plan run later never sees an
// earlier plan's data (each Terraform command also starts a new provider
// process).
const refreshListingMaxAge = 5 * time.Second

// listing is one GET of a group's conversation list, shared by the reads
// waiting on it.
type listing struct {
	// startedAt is when the request was sent; zero while queued.
	startedAt time.Time
	done      chan struct{}
	// Set before done is closed.
	byID        map[string]Conversation
	err         error
	completedAt time.Time
}

// groupListings holds, per group, the newest listing and the one queued
// behind it while it is in flight, so at most one listing per group is in
// flight and every read waits for at most the one after it.
type groupListings struct {
	latest *listing
	next   *listing
}

type conversationListings struct {
	mu     sync.Mutex
	groups map[string]*groupListings
}

func newConversationListings() *conversationListings {
	return &conversationListings{groups: make(map[string]*groupListings)}
}

func (l *listing) finished() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// join returns the listing a read should use: one that starts no earlier
// than notBefore (a listing not started yet qualifies) and, once finished,
// is at most maxAge old. lead reports that the caller must fetch it, after
// waiting for wait, the listing in flight ahead of it, if any.
func (ls *conversationListings) join(groupID string, notBefore time.Time, maxAge time.Duration) (l *listing, wait *listing, lead bool) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	g := ls.groups[groupID]
	if g == nil {
		g = &groupListings{}
		ls.groups[groupID] = g
	}
	if latest := g.latest; latest != nil && (latest.startedAt.IsZero() || !latest.startedAt.Before(notBefore)) {
		if !latest.finished() || (latest.err == nil && time.Since(latest.completedAt) <= maxAge) {
			return latest, nil, false
		}
	}
	if g.next != nil {
		return g.next, nil, false
	}
	l = &listing{done: make(chan struct{})}
	if g.latest != nil && !g.latest.finished() {
		// Queue behind the listing in flight: it started before this read
		// and may miss what the read needs.
		g.next = l
		return l, g.latest, true
	}
	g.latest = l
	return l, nil, true
}

// start marks a listing as sent: from now on it may miss objects created
// later.
func (ls *conversationListings) start(groupID string, l *listing) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l.startedAt = time.Now()
	g := ls.groups[groupID]
	g.latest = l
	if g.next == l {
		g.next = nil
	}
}

// listedConversation returns the conversation from a listing shared with
// other reads of the group, or ok=false when the listing does not hold it or
// could not be fetched.
func (c *Client) listedConversation(ctx context.Context, groupID, conversationID string, notBefore time.Time, maxAge time.Duration) (Conversation, bool) {
	l, wait, lead := c.listings.join(groupID, notBefore, maxAge)
	if lead {
		if wait != nil {
			select {
			case <-wait.done:
			case <-ctx.Done():
				// Nobody else will fetch this listing; fail it so that
				// its other readers fall back to their own GETs.
				c.listings.start(groupID, l)
				c.finishListing(l, nil, ctx.Err())
				return Conversation{}, false
			}
		}
		c.listings.start(groupID, l)
		conversations, err := c.listConversations(withMailboxPriority(ctx), groupID, new(listingPageSize))
		c.finishListing(l, conversations, err)
		tflog.Debug(ctx, "Listed group conversations for reads arriving together", map[string]any{
			"group_id": groupID, "conversations": len(conversations), "error": errString(err),
		})
	}
	select {
	case <-l.done:
	case <-ctx.Done():
		return Conversation{}, false
	}
	if l.err != nil {
		return Conversation{}, false
	}
	conversation, ok := l.byID[conversationID]
	return conversation, ok
}

func (c *Client) finishListing(l *listing, conversations []Conversation, err error) {
	l.byID = make(map[string]Conversation, len(conversations))
	for _, cv := range conversations {
		l.byID[cv.ID] = cv
	}
	l.err = err
	l.completedAt = time.Now()
	close(l.done)
}

// ReadConversation reads a conversation during a refresh. With coalescing
// on, it is served from a listing of its group shared with the other reads
// of the refresh; a conversation the listing lacks is read with its own GET,
// so a 404 still means it is gone.
func (c *Client) ReadConversation(ctx context.Context, groupID, conversationID string) (Conversation, error) {
	if c.coalesceReads {
		if conversation, ok := c.listedConversation(ctx, groupID, conversationID, time.Time{}, refreshListingMaxAge); ok {
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
		if conversation, ok := c.listedConversation(ctx, groupID, conversationID, createdAt, refreshListingMaxAge); ok {
			return conversation, nil
		}
	}
	return c.WaitForConversation(ctx, groupID, conversationID)
}
