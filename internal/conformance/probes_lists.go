package conformance

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// Graph documents neither the page size of a group's conversation list,
// nor a cap on it, nor what $top means there, nor its order. These probes
// ask.

// maxListPages bounds how many pages a probe reads of one listing.
const maxListPages = 50

// orderFixture is three conversations created one after the other (A, B,
// C), after which A got a reply: listed by last delivery, newest first, the
// order is A, C, B; in creation order A, B, C.
type orderFixture struct {
	ids [3]string
}

var orderNames = [3]string{"A", "B", "C"}

func (s *suite) orderConversations(ctx context.Context) (*orderFixture, error) {
	if s.order != nil {
		return s.order, nil
	}
	f := &orderFixture{}
	var threadA string
	for i, name := range orderNames {
		id, thread, err := s.createConversation(ctx, "list order "+name, s.topic("list order "+name),
			body{ContentType: "text", Content: "Conversation " + name + " of the list-order probe."}, nil)
		if err != nil {
			return nil, err
		}
		f.ids[i] = id
		if i == 0 {
			threadA = thread
		}
	}
	if _, err := s.signedInUser(ctx, f.ids[0], threadA); err != nil {
		s.logf("could not read the signed-in user's address: %v", err)
	}
	if err := s.c.reply(ctx, s.group, f.ids[0], threadA, body{ContentType: "text", Content: "A reply, so that A was delivered last."}, nil); err != nil {
		return nil, fmt.Errorf("reply to conversation A: %w", err)
	}
	s.order = f
	return f, nil
}

// probeListOrder lists the group as the provider does ($top=1000) and finds
// where A, B and C are.
func (s *suite) probeListOrder(ctx context.Context) []Finding {
	const behaviour = "List order"
	f, err := s.orderConversations(ctx)
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	var positions [3]int
	var listed, pages int
	complete := false
	// A conversation may reach the list later than a GET finds it; list
	// again until all three are there, at most three times, since a large
	// mailbox takes many pages each time.
	listings := 0
	_, waitErr := s.waitFor(ctx, s.opts.VisibilityWait, func() (bool, error) {
		if listings++; listings > 3 {
			return false, errors.New("not all listed after three listings")
		}
		positions, listed, pages, complete = [3]int{}, 0, 0, false
		next := ""
		for pages < maxListPages {
			page, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 1000, selectTopicID: true}, next)
			if err != nil {
				return false, err
			}
			pages++
			for _, item := range page.items {
				listed++
				for i, id := range f.ids {
					if item.ID == id && positions[i] == 0 {
						positions[i] = listed
					}
				}
			}
			if positions[0] > 0 && positions[1] > 0 && positions[2] > 0 {
				return true, nil
			}
			if next = page.next; next == "" {
				complete = true
				return false, nil
			}
		}
		return true, nil // the page bound: judge from what was seen
	})
	found := positions[0] > 0 && positions[1] > 0 && positions[2] > 0
	if waitErr != nil && !found && (complete || pages == 0) {
		return []Finding{failed(behaviour, fmt.Errorf("conversations A, B and C did not all appear in the list: %w", waitErr))}
	}
	return []Finding{classifyOrder(behaviour, positions, listed, pages)}
}

// classifyOrder names the list order from where A, B and C were listed (0:
// not found within the pages read).
func classifyOrder(behaviour string, positions [3]int, listed, pages int) Finding {
	found := positions[0] > 0 && positions[1] > 0 && positions[2] > 0
	where := fmt.Sprintf("A (created first, replied to last), B, C at positions %d, %d, %d of the %d listed", positions[0], positions[1], positions[2], listed)
	switch {
	case !found:
		return Finding{Behaviour: behaviour, Status: Consistent,
			Observed: fmt.Sprintf("the run's three new conversations were not among the first %d listed (%d pages): the list is not newest first", listed, pages),
			Settings: []Setting{exactly(flagListOrder, emulator.CreationOrder)}}
	case positions[0] < positions[1] && positions[1] < positions[2]:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: where + ": creation order, oldest first",
			Settings: []Setting{exactly(flagListOrder, emulator.CreationOrder)}}
	case positions[0] < positions[2] && positions[2] < positions[1]:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: where + ": newest first by last delivery (the reply moved A to the front)",
			Settings: []Setting{exactly(flagListOrder, emulator.NewestFirst)}}
	case positions[2] < positions[1] && positions[1] < positions[0]:
		return Finding{Behaviour: behaviour, Status: Unmatched, Observed: where + ": newest first by creation (a reply does not move a conversation)",
			Note: "none: the emulator orders newest first by last delivery"}
	}
	return Finding{Behaviour: behaviour, Status: Unmatched, Observed: where + ": neither creation order nor newest first",
		Note: "none: the emulator lists in creation order or newest first by last delivery"}
}

// probePageSize lists without $top.
func (s *suite) probePageSize(ctx context.Context) []Finding {
	const behaviour = "Page size without `$top`"
	if _, err := s.orderConversations(ctx); err != nil {
		return []Finding{failed(behaviour, err)}
	}
	page, err := s.c.conversationsPage(ctx, s.group, pageRequest{}, "")
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	n := len(page.items)
	if page.next != "" {
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: fmt.Sprintf("pages of %d, with a nextLink", n),
			Settings: []Setting{exactly(flagPageSize, n)}}}
	}
	return []Finding{{Behaviour: behaviour, Status: Consistent,
		Observed: fmt.Sprintf("%d conversations and no nextLink: the whole list, so pages hold at least %d", n, n),
		Settings: []Setting{{Flag: flagPageSize, Value: strconv.Itoa(n), AtLeast: true}}}}
}

// probePageCap lists with $top=1000, the provider's page size.
func (s *suite) probePageCap(ctx context.Context) []Finding {
	const behaviour = "Page size with `$top=1000` (page cap)"
	if _, err := s.orderConversations(ctx); err != nil {
		return []Finding{failed(behaviour, err)}
	}
	page, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 1000}, "")
	if err != nil {
		ge := asGraphError(err)
		if ge.Status >= 400 && ge.Status < 500 {
			return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: "refused: " + ge.Error(),
				Note: "none: the emulator caps pages and never refuses a large $top"}}
		}
		return []Finding{failed(behaviour, err)}
	}
	n := len(page.items)
	switch {
	case page.next != "" && n < 1000:
		return []Finding{{Behaviour: behaviour, Status: Matched,
			Observed: fmt.Sprintf("pages of %d with a nextLink: the service caps pages at %d whatever $top asks", n, n),
			Settings: []Setting{exactly(flagMaxPageSize, n)}}}
	case page.next != "":
		return []Finding{{Behaviour: behaviour, Status: Consistent, Observed: "1000 conversations and a nextLink: $top=1000 honoured",
			Settings: []Setting{{Flag: flagMaxPageSize, Value: "1000", AtLeast: true}}}}
	}
	return []Finding{{Behaviour: behaviour, Status: Consistent,
		Observed: fmt.Sprintf("%d conversations and no nextLink: the whole list, so the cap is at least %d", n, n),
		Settings: []Setting{{Flag: flagMaxPageSize, Value: strconv.Itoa(n), AtLeast: true}}}}
}

// probeTop asks for $top=2 in a group holding at least three conversations
// and follows the nextLink, if any.
func (s *suite) probeTop(ctx context.Context) []Finding {
	const behaviour = "`$top`: page size or total"
	if _, err := s.orderConversations(ctx); err != nil {
		return []Finding{failed(behaviour, err)}
	}
	first, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 2}, "")
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	n := len(first.items)
	switch {
	case n > 2:
		return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: fmt.Sprintf("$top=2 gave %d conversations: $top ignored", n),
			Note: "none: the emulator always honours $top up to its page cap"}}
	case n == 2 && first.next == "":
		return []Finding{{Behaviour: behaviour, Status: Matched,
			Observed: "$top=2 gave 2 conversations and no nextLink, in a group of at least 3: $top caps the whole listing",
			Settings: []Setting{exactly(flagTopCapsTotal, true)}}}
	case n == 2:
		second, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 2}, first.next)
		if err != nil {
			return []Finding{failed(behaviour, fmt.Errorf("following the nextLink: %w", err))}
		}
		if len(second.items) > 0 {
			return []Finding{{Behaviour: behaviour, Status: Matched,
				Observed: fmt.Sprintf("$top=2 gave 2 conversations and a nextLink to %d more: $top is the page size", len(second.items)),
				Settings: []Setting{exactly(flagTopCapsTotal, false)}}}
		}
		return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: "$top=2 gave 2 conversations and a nextLink to an empty page",
			Note: "none: the emulator gives no nextLink to an empty page"}}
	}
	return []Finding{{Behaviour: behaviour, Status: Unmatched,
		Observed: fmt.Sprintf("$top=2 gave %d conversations in a group of at least 3", n), Note: "none"}}
}

// probePrefer asks for pages of 2 with Prefer: odata.maxpagesize and no
// $top, then for pages of 1000 the same way.
func (s *suite) probePrefer(ctx context.Context) []Finding {
	const behaviour = "`Prefer: odata.maxpagesize`"
	if _, err := s.orderConversations(ctx); err != nil {
		return []Finding{failed(behaviour, err)}
	}
	small, err := s.c.conversationsPage(ctx, s.group, pageRequest{maxPageSize: 2}, "")
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	large, err := s.c.conversationsPage(ctx, s.group, pageRequest{maxPageSize: 1000}, "")
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	plain, err := s.c.conversationsPage(ctx, s.group, pageRequest{}, "")
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	describe := func(p conversationPage) string {
		out := fmt.Sprintf("%d conversations", len(p.items))
		if p.next != "" {
			out += " and a nextLink"
		}
		if p.preferenceApplied != "" {
			out += ", Preference-Applied: " + p.preferenceApplied
		} else {
			out += ", no Preference-Applied"
		}
		return out
	}
	observed := fmt.Sprintf("odata.maxpagesize=2 gave %s; =1000 gave %s (without the header: %d)",
		describe(small), describe(large), len(plain.items))
	applied := strings.EqualFold(strings.ReplaceAll(small.preferenceApplied, " ", ""), "odata.maxpagesize=2")
	switch {
	case len(small.items) == 2 && small.next != "" && applied:
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed + ": honoured",
			Settings: []Setting{exactly(flagHonourPreference, true)}}}
	case len(small.items) == 2 && small.next != "" && len(plain.items) > 2:
		return []Finding{{Behaviour: behaviour, Status: Approximate, Observed: observed + ": honoured, but not acknowledged",
			Settings: []Setting{exactly(flagHonourPreference, true)}, Note: "the emulator also answers Preference-Applied"}}
	case len(small.items) > 2 && small.preferenceApplied == "":
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed + ": ignored",
			Settings: []Setting{exactly(flagHonourPreference, false)}}}
	}
	return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: observed,
		Note: "none: the emulator honours the preference with Preference-Applied, or ignores it"}}
}

// probeFilterDelivered lists the conversations delivered since B, the second
// conversation of the list-order fixture, with $filter on
// lastDeliveredDateTime: Graph's beta page for conversation documents the
// filter (eq, ne, le, ge), the v1.0 page leaves it open. Honoured, the list
// holds A (replied to after B), B and C, and nothing delivered before B.
func (s *suite) probeFilterDelivered(ctx context.Context) []Finding {
	const behaviour = "`$filter` on `lastDeliveredDateTime`"
	f, err := s.orderConversations(ctx)
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	since, err := s.c.conversationDelivered(ctx, s.group, f.ids[1])
	if err != nil {
		return []Finding{failed(behaviour, fmt.Errorf("reading when conversation B was delivered: %w", err))}
	}
	filter := "lastDeliveredDateTime ge " + since.Format("2006-01-02T15:04:05Z")
	var seen [3]bool
	var listed, older int
	listings := 0
	_, waitErr := s.waitFor(ctx, s.opts.VisibilityWait, func() (bool, error) {
		if listings++; listings > 3 {
			return false, errors.New("not all listed after three listings")
		}
		seen, listed, older = [3]bool{}, 0, 0
		next := ""
		for pages := 0; pages < maxListPages; pages++ {
			page, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 1000, filter: filter}, next)
			if err != nil {
				return false, err
			}
			for _, item := range page.items {
				listed++
				if item.LastDelivered.Before(since) {
					older++
				}
				for i, id := range f.ids {
					if item.ID == id {
						seen[i] = true
					}
				}
			}
			if next = page.next; next == "" {
				break
			}
		}
		return seen[0] && seen[1] && seen[2], nil
	})
	observed := fmt.Sprintf("$filter=%s", filter)
	if ge := asGraphError(waitErr); waitErr != nil && ge.Status != 0 {
		if ge.Status == 400 && strings.EqualFold(ge.Code, "ErrorInvalidUrlQueryFilter") {
			return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed + " refused: " + ge.Error(),
				Settings: []Setting{exactly(flagFilterDelivered, false)}}}
		}
		if ge.Status >= 400 && ge.Status < 600 {
			return []Finding{{Behaviour: behaviour, Status: Approximate, Observed: observed + " refused: " + ge.Error(),
				Settings: []Setting{exactly(flagFilterDelivered, false)},
				Note:     "the emulator refuses with 400 ErrorInvalidUrlQueryFilter"}}
		}
	}
	observed += fmt.Sprintf(" listed %d conversations, %d of them delivered before the bound", listed, older)
	switch {
	case older > 0:
		return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: observed + ": the filter was ignored",
			Note: "none: the emulator honours the filter or refuses it"}}
	case seen[0] && seen[1] && seen[2]:
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed + ", A, B and C among them: honoured",
			Settings: []Setting{exactly(flagFilterDelivered, true)}}}
	case waitErr != nil:
		return []Finding{failed(behaviour, fmt.Errorf("%s: A, B and C were not all listed: %w", observed, waitErr))}
	}
	return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: observed, Note: "none"}}
}
