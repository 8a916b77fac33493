package conformance

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// ledger remembers every object the run created, the moment its create
// answers, so that the clean-up deletes exactly those, however the run ends.
// A create whose answer never came may still have created something; its
// group is marked for a sweep, which deletes only conversations whose topic
// carries the run's marker, a string no other object has.
type ledger struct {
	mu            sync.Mutex
	conversations []createdConversation
	groups        []createdGroup
	sweep         map[string]bool // group ids
	// deletedGroups counts groups the probes deleted themselves.
	deletedGroups int
}

type createdConversation struct{ groupID, id, label string }

type createdGroup struct{ id, label string }

func newLedger() *ledger { return &ledger{sweep: map[string]bool{}} }

func (l *ledger) addConversation(groupID, id, label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conversations = append(l.conversations, createdConversation{groupID, id, label})
}

func (l *ledger) addGroup(id, label string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.groups = append(l.groups, createdGroup{id, label})
}

// uncertain marks a group in which a create may have succeeded unseen.
func (l *ledger) uncertain(groupID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep[groupID] = true
}

// forgetGroup drops a group deleted (or found gone) before the clean-up.
func (l *ledger) forgetGroup(id string, deleted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if deleted {
		l.deletedGroups++
	}
	for i, g := range l.groups {
		if g.id == id {
			l.groups = append(l.groups[:i], l.groups[i+1:]...)
			return
		}
	}
}

// Cleanup is what the clean-up did.
type Cleanup struct {
	Conversations int
	Groups        int
	// Swept counts conversations found by their marker after a create
	// whose answer was lost.
	Swept int
	// Left lists what could not be deleted, for a human to delete by hand.
	Left []string
}

// maxSweepPages bounds the listing a sweep reads.
const maxSweepPages = 50

// cleanup deletes what the ledger holds: conversations first, then groups.
// A 404 means the object is already gone (a probe deleted it, or it went
// with its group). It stops when ctx ends and lists what is left.
func (l *ledger) cleanup(ctx context.Context, c *client, marker string) Cleanup {
	l.mu.Lock()
	conversations := append([]createdConversation(nil), l.conversations...)
	groups := append([]createdGroup(nil), l.groups...)
	var sweep []string
	for g := range l.sweep {
		sweep = append(sweep, g)
	}
	out := Cleanup{Groups: l.deletedGroups}
	l.mu.Unlock()

	// The probes may have spent the request budget; the clean-up must run.
	c.meter.allow(int64(len(conversations)+len(groups)+len(sweep)*(maxSweepPages+20)) + 10)
	deleted := map[string]bool{}
	for _, cv := range conversations {
		err := c.deleteConversation(ctx, cv.groupID, cv.id)
		switch {
		case err == nil:
			out.Conversations++
			deleted[cv.id] = true
		case isNotFound(err):
			deleted[cv.id] = true
		default:
			out.Left = append(out.Left, fmt.Sprintf("conversation %s (%s) in group %s: %v", cv.id, cv.label, cv.groupID, err))
		}
	}
	for _, groupID := range sweep {
		found, err := findMarked(ctx, c, groupID, marker)
		if err != nil {
			out.Left = append(out.Left, fmt.Sprintf("group %s may hold conversations whose topic contains %q: the sweep failed: %v", groupID, marker, err))
		}
		for _, cv := range found {
			if deleted[cv.ID] {
				continue
			}
			if err := c.deleteConversation(ctx, groupID, cv.ID); err != nil && !isNotFound(err) {
				out.Left = append(out.Left, fmt.Sprintf("conversation %s (%q) in group %s: %v", cv.ID, cv.Topic, groupID, err))
				continue
			}
			out.Swept++
		}
	}
	for _, g := range groups {
		err := c.deleteGroup(ctx, g.id)
		switch {
		case err == nil:
			out.Groups++
		case isNotFound(err):
		default:
			out.Left = append(out.Left, fmt.Sprintf("group %s (%s): %v", g.id, g.label, err))
		}
	}
	return out
}

// findMarked lists a group's conversations, at most maxSweepPages pages,
// and returns those whose topic carries the marker.
func findMarked(ctx context.Context, c *client, groupID, marker string) ([]listedConversation, error) {
	var found []listedConversation
	next := ""
	for range maxSweepPages {
		page, err := c.conversationsPage(ctx, groupID, pageRequest{top: 1000, selectTopicID: true}, next)
		if err != nil {
			return found, err
		}
		for _, cv := range page.items {
			if strings.Contains(cv.Topic, marker) {
				found = append(found, cv)
			}
		}
		if next = page.next; next == "" {
			return found, nil
		}
	}
	return found, fmt.Errorf("stopped after %d pages", maxSweepPages)
}
