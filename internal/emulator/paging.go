package emulator

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pagingRules are the list rules of one answer. Directory lists (groups) keep
// the zero value: the behaviour options model Exchange, which serves the
// mailbox lists.
type pagingRules struct {
	// topCapsTotal makes $top the size of the whole listing rather than of
	// a page.
	topCapsTotal bool
	// honourPreference honours Prefer: odata.maxpagesize.
	honourPreference bool
}

func (b Behaviour) pagingRules() pagingRules {
	return pagingRules{topCapsTotal: b.TopCapsTotal, honourPreference: b.HonourMaxPageSizePreference}
}

// listPage is the part of a list one answer carries: items [start, end).
type listPage struct {
	start, end int
	// next is the @odata.nextLink, empty on the last page.
	next string
	// preferenceApplied is the odata.maxpagesize the answer honoured, or 0.
	preferenceApplied int
}

// pageOf picks the page of a list of total items that this request gets.
//
// Graph documents none of this for group conversations: how $top, $skip and
// Prefer: odata.maxpagesize combine is modelled after OData's rules and
// Outlook's REST endpoints, and each alternative is a Behaviour option.
// Whatever the client asks, a page never holds more than MaxPageSize items.
// $top is the page size, unless topCapsTotal makes it the size of the whole
// listing (then the nextLink carries the $top that is left). Without $top the
// page size is PageSize, or the honoured odata.maxpagesize.
func (c *call) pageOf(total int, rules pagingRules) listPage {
	pageCap := int(c.s.maxPageSize.Load())
	size := c.s.opts.PageSize
	var p listPage
	preferred, hasPreference := 0, false
	if rules.honourPreference {
		preferred, hasPreference = preferredMaxPageSize(c.r.Header)
	}
	if c.query.hasTop {
		size = c.query.top
	}
	if hasPreference {
		if c.query.hasTop {
			size = min(size, preferred)
		} else {
			size = preferred
		}
		p.preferenceApplied = min(preferred, pageCap)
	}
	size = min(size, pageCap)

	p.start = min(c.query.skip, total)
	windowEnd := total
	if rules.topCapsTotal && c.query.hasTop && c.query.top < total-p.start {
		windowEnd = p.start + c.query.top
	}
	p.end = p.start + min(size, windowEnd-p.start)
	// A zero page size would hand out the same link forever, so $top=0 ends
	// the listing.
	if p.end < windowEnd && size > 0 {
		remainingTop := -1
		if rules.topCapsTotal && c.query.hasTop {
			remainingTop = c.query.top - (p.end - p.start)
		}
		p.next = c.nextLink(p.end, remainingTop)
	}
	return p
}

// writePage answers a list with the items of page p.
func (c *call) writePage(contextURL string, p listPage, items []object) {
	if items == nil {
		items = []object{}
	}
	out := object{{"@odata.context", contextURL}, {"value", items}}
	if p.next != "" {
		out = append(out, field{"@odata.nextLink", p.next})
	}
	if p.preferenceApplied > 0 {
		// Outlook names the page size it applied; echoing the size actually
		// used, which is the request's unless it exceeds the page cap, is
		// inferred.
		c.w.Header().Set("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(p.preferenceApplied))
	}
	c.writeJSON(http.StatusOK, out)
}

// nextLink is the absolute URL of the next page: the client's own query with
// $skip moved on and, when remainingTop is not negative, $top replaced by
// what is left of it.
func (c *call) nextLink(skip, remainingTop int) string {
	parts := make([]string, 0, len(c.query.parts)+2)
	for _, p := range c.query.parts {
		if p.name == "skip" || p.name == "top" && remainingTop >= 0 {
			continue
		}
		parts = append(parts, p.raw)
	}
	if remainingTop >= 0 {
		parts = append(parts, "$top="+strconv.Itoa(remainingTop))
	}
	parts = append(parts, "$skip="+strconv.Itoa(skip))
	return c.origin() + c.r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

// preferredMaxPageSize reads odata.maxpagesize from the Prefer headers
// (RFC 7240: comma-separated preferences, each name[=value] with optional
// ;parameters). A value that is not a positive integer cannot be honoured
// and is ignored, as RFC 7240 asks of preferences a server does not
// understand.
func preferredMaxPageSize(h http.Header) (int, bool) {
	for _, line := range h.Values("Prefer") {
		for _, preference := range strings.Split(line, ",") {
			token, _, _ := strings.Cut(preference, ";")
			name, value, ok := strings.Cut(token, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "odata.maxpagesize") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(value), `"`))
			if err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// activity is when a conversation or thread last received a post; seq breaks
// ties between posts delivered within the same second.
type activity struct {
	at  time.Time
	seq uint64
}

func (g *groupState) lastActivity(postIDs []string) activity {
	var a activity
	for _, id := range postIDs {
		p, ok := g.posts[id]
		if !ok {
			continue
		}
		if at := p.post.ReceivedDateTime; at.After(a.at) || at.Equal(a.at) && p.seq > a.seq {
			a = activity{at: at, seq: p.seq}
		}
	}
	return a
}

// conversationActivity is the latest activity over a conversation's threads.
func (g *groupState) conversationActivity(c *conversationState) activity {
	var a activity
	for _, tid := range c.threadIDs {
		if t, ok := g.threads[tid]; ok {
			if ta := g.lastActivity(t.postIDs); newestFirst(ta, a) < 0 {
				a = ta
			}
		}
	}
	return a
}

// newestFirst compares activities for a sort that puts the latest first.
func newestFirst(a, b activity) int {
	if c := b.at.Compare(a.at); c != 0 {
		return c
	}
	return cmp.Compare(b.seq, a.seq)
}

// orderConversations sorts conversations in place for a list. Exchange is
// believed to list a mailbox by lastDeliveredDateTime, newest first; the
// docs say nothing, so creation order stays the default.
func (g *groupState) orderConversations(convs []*conversationState, order Order) {
	if order == NewestFirst {
		sortNewestFirst(convs, g.conversationActivity)
	}
}

// orderThreads sorts threads in place for a list, as orderConversations
// does conversations.
func (g *groupState) orderThreads(threads []*threadState, order Order) {
	if order == NewestFirst {
		sortNewestFirst(threads, func(t *threadState) activity { return g.lastActivity(t.postIDs) })
	}
}

// sortNewestFirst sorts items by their latest activity, computing it once
// per item: a mailbox of thousands is sorted on every page request.
func sortNewestFirst[T any](items []T, activityOf func(T) activity) {
	type keyed struct {
		item T
		key  activity
	}
	keys := make([]keyed, len(items))
	for i, item := range items {
		keys[i] = keyed{item, activityOf(item)}
	}
	// No two items share their latest post, so keys are unique and an
	// unstable sort is deterministic.
	slices.SortFunc(keys, func(a, b keyed) int { return newestFirst(a.key, b.key) })
	for i, k := range keys {
		items[i] = k.item
	}
}

// orderedPostIDs is a thread's posts in list order: oldest first by
// default, newest first when the posts order says so. Posts are appended in
// delivery order, so reversing is enough.
func orderedPostIDs(t *threadState, order Order) []string {
	ids := slices.Clone(t.postIDs)
	if order == NewestFirst {
		slices.Reverse(ids)
	}
	return ids
}
