package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// A Microsoft 365 group's mailbox is provisioned after the group (reports of
// up to 45 minutes), and what a group without a mailbox answers on mailbox
// routes is not documented. Creating groups needs Group.ReadWrite.All and
// leaves a deleted group in the tenant's recycle bin for 30 days, so these
// probes run only when asked (Options.CreateGroups), or, for a group without
// a mailbox, on one the user names.

func (s *suite) groupNickname(suffix string) string {
	return "msgraph-conformance-" + s.opts.RunID + "-" + suffix
}

func (s *suite) groupDescription() string {
	return "Created by msgraph-conformance (make conformance of terraform-provider-msgraph), run " + s.opts.RunID +
		"; deleted when the run ends."
}

// createGroup creates a group and records it in the ledger.
func (s *suite) createGroup(ctx context.Context, label, suffix string, unified bool) (string, error) {
	id, err := s.c.createGroup(ctx, s.topic(label), s.groupNickname(suffix), s.groupDescription(), unified)
	if err != nil {
		if ge := asGraphError(err); ge.Status == 0 || ge.Status >= 500 {
			return "", fmt.Errorf("create group %q: %w; if it was created, delete the group named %q by hand", label, err, s.topic(label))
		}
		return "", fmt.Errorf("create group %q: %w", label, err)
	}
	s.ledger.addGroup(id, label)
	return id, nil
}

// deleteGroupNow deletes a group the probe is done with, leaving it to the
// clean-up when that fails.
func (s *suite) deleteGroupNow(ctx context.Context, id string) {
	if err := s.c.deleteGroup(ctx, id); err == nil || isNotFound(err) {
		s.ledger.forgetGroup(id, err == nil)
	}
}

func (s *suite) probeMailboxDelay(ctx context.Context) []Finding {
	const behaviour = "A new group's mailbox"
	if !s.opts.CreateGroups {
		return []Finding{{Behaviour: behaviour, Status: Skipped,
			Observed: "not run: it creates a Microsoft 365 group (needs Group.ReadWrite.All); set MSGRAPH_CONFORMANCE_CREATE_GROUPS=1 to run it"}}
	}
	createStart := time.Now()
	id, err := s.createGroup(ctx, "mailbox probe", "mbx", true)
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	created := time.Now()
	defer s.deleteGroupNow(ctx, id)
	// Every answer before the mailbox is ready, counted by status and code.
	seen := map[string]int{}
	var order []string
	polls := 0
	// The mailbox became ready after the last refused request started and
	// before the first listed one answered, counted from the group's
	// creation, which happened while the create was in flight.
	var lastRefused time.Time
	waited, err := s.waitEvery(ctx, s.opts.MailboxWait, s.opts.MailboxPoll, func() (bool, error) {
		polls++
		started := time.Now()
		_, err := s.c.conversationsPage(ctx, id, pageRequest{top: 1}, "")
		if err == nil {
			return true, nil
		}
		lastRefused = started
		ge := asGraphError(err)
		if ge.Status != http.StatusNotFound && ge.Status != http.StatusForbidden && ge.Status != http.StatusBadRequest {
			return false, err
		}
		key := ge.short()
		if seen[key] == 0 {
			order = append(order, key)
		}
		seen[key]++
		return false, nil
	})
	before := "ready at the first request"
	if len(order) > 0 {
		parts := make([]string, len(order))
		for i, k := range order {
			parts[i] = fmt.Sprintf("%d × %s", seen[k], k)
		}
		before = "before that: " + strings.Join(parts, ", ")
	}
	switch {
	case err == nil:
		ready := time.Now()
		lower := time.Duration(0)
		if !lastRefused.IsZero() {
			lower = lastRefused.Sub(created)
		}
		upper := ready.Sub(createStart)
		mid, within := (lower+upper)/2, (upper-lower)/2+100*time.Millisecond
		finding := Finding{Behaviour: behaviour,
			Observed: fmt.Sprintf("listed after %s (%s, one every %s); %s", waited.Round(100*time.Millisecond), plural(polls, "request"), s.opts.MailboxPoll, before),
			Settings: []Setting{{Flag: flagMailboxDelay, Value: mid.Round(100 * time.Millisecond).String(), Within: within.Round(100*time.Millisecond) + 100*time.Millisecond}},
			Status:   Matched}
		if len(order) > 0 && !slices.Equal(order, []string{"404 MailboxNotEnabledForRESTAPI"}) {
			finding.Status = Approximate
			finding.Note = "the emulator answers 404 MailboxNotEnabledForRESTAPI while it waits"
		}
		return []Finding{finding}
	case strings.HasPrefix(err.Error(), "still waiting"):
		return []Finding{{Behaviour: behaviour, Status: Consistent,
			Observed: fmt.Sprintf("not ready after %s (%s); %s", s.opts.MailboxWait, plural(polls, "request"), before),
			Settings: []Setting{{Flag: flagMailboxDelay, Value: s.opts.MailboxWait.String(), AtLeast: true}},
			Note:     "at least this long; raise MSGRAPH_CONFORMANCE_MAILBOX_WAIT to measure it"}}
	}
	return []Finding{failed(behaviour, err)}
}

func (s *suite) probeNonUnified(ctx context.Context) []Finding {
	const behaviour = "A group without a mailbox"
	id := s.opts.NonUnifiedGroupID
	if id == "" {
		if !s.opts.CreateGroups {
			return []Finding{{Behaviour: behaviour, Status: Skipped,
				Observed: "not run: set MSGRAPH_CONFORMANCE_NON_UNIFIED_GROUP_ID to a security group's id, or MSGRAPH_CONFORMANCE_CREATE_GROUPS=1"}}
		}
		var err error
		if id, err = s.createGroup(ctx, "security group probe", "sec", false); err != nil {
			return []Finding{failed(behaviour, err)}
		}
		defer s.deleteGroupNow(ctx, id)
		// A new group reaches every directory replica after a while.
		if _, err := s.waitFor(ctx, s.opts.VisibilityWait, func() (bool, error) {
			_, err := s.c.getGroup(ctx, id)
			if isNotFound(err) {
				return false, nil
			}
			return err == nil, err
		}); err != nil {
			return []Finding{failed(behaviour, fmt.Errorf("the new security group could not be read: %w", err))}
		}
	}
	_, err := s.c.conversationsPage(ctx, id, pageRequest{top: 1}, "")
	if err == nil {
		return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: "its conversations were listed",
			Note: "none: is it a Microsoft 365 group?"}}
	}
	ge := asGraphError(err)
	observed := "listing its conversations answered " + ge.Error()
	switch ge.short() {
	case "404 MailboxNotEnabledForRESTAPI":
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed, Settings: []Setting{exactly(flagNonUnifiedStatus, 404)}}}
	case "403 ErrorAccessDenied":
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: observed, Settings: []Setting{exactly(flagNonUnifiedStatus, 403)}}}
	}
	if ge.Status == 0 || ge.Status >= 500 || ge.Status == http.StatusTooManyRequests {
		return []Finding{failed(behaviour, err)}
	}
	return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: observed,
		Note: "none: the emulator answers 404 MailboxNotEnabledForRESTAPI or 403 ErrorAccessDenied"}}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
