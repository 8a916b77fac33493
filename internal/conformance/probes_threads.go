package conformance

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The emulator has no option for the behaviours in this file except the
// posts order: each scenario runs against the service and against an
// emulator with its defaults, and the report says whether they agree.

// recipientsOutcome is what the recipients scenario reads back.
type recipientsOutcome struct {
	participants []recipient // the first post's newParticipants
	threadTo     []recipient // a new thread's toRecipients
	threadCc     []recipient
	afterReplyTo []recipient // the thread's toRecipients after a reply with a new participant
}

// recipientAddresses are the addresses the scenario uses: the ones given,
// or the signed-in user's own, so that nobody else gets mail.
func (s *suite) recipientAddresses(ctx context.Context) ([4]string, error) {
	var out [4]string
	list := s.opts.Recipients
	if len(list) == 0 {
		// The list-order probe's conversations tell the signed-in user.
		if _, err := s.orderConversations(ctx); err != nil {
			return out, err
		}
		if s.user == "" {
			return out, fmt.Errorf("the signed-in user's address is unknown; set the recipients to use")
		}
		list = []string{s.user}
	}
	for i := range out {
		out[i] = list[i%len(list)]
	}
	return out, nil
}

// recipientsScenario creates a conversation whose first post adds a
// participant, a thread with To and Cc recipients, and a reply to that
// thread adding another participant, and reads each back.
func (s *suite) recipientsScenario(ctx context.Context, addresses [4]string) (recipientsOutcome, recipientsOutcome, error) {
	var sent, got recipientsOutcome
	sent.participants = []recipient{{"msgraph-conformance participant", addresses[0]}}
	sent.threadTo = []recipient{{"msgraph-conformance to", addresses[1]}}
	sent.threadCc = []recipient{{"msgraph-conformance cc", addresses[2]}}
	replyParticipant := recipient{"msgraph-conformance reply participant", addresses[3]}

	conversationID, threadID, err := s.createConversation(ctx, "recipients", s.topic("recipients"),
		body{ContentType: "text", Content: "A conversation of the recipients probe."}, sent.participants)
	if err != nil {
		return sent, got, err
	}
	posts, _, err := s.c.postsPage(ctx, s.group, conversationID, threadID, "")
	if err != nil {
		return sent, got, err
	}
	if len(posts) == 0 {
		return sent, got, fmt.Errorf("the new conversation's thread lists no post")
	}
	got.participants = posts[0].NewParticipants
	second, err := s.c.createThread(ctx, s.group, conversationID, s.topic("recipients"),
		body{ContentType: "text", Content: "A thread of the recipients probe."}, sent.threadTo, sent.threadCc)
	if err != nil {
		return sent, got, fmt.Errorf("create a thread: %w", err)
	}
	thread, err := s.readThread(ctx, conversationID, second)
	if err != nil {
		return sent, got, err
	}
	got.threadTo, got.threadCc = thread.To, thread.Cc
	if err := s.c.reply(ctx, s.group, conversationID, second, body{ContentType: "text", Content: "A reply adding a participant."},
		[]recipient{replyParticipant}); err != nil {
		return sent, got, fmt.Errorf("reply: %w", err)
	}
	if thread, err = s.readThread(ctx, conversationID, second); err != nil {
		return sent, got, err
	}
	got.afterReplyTo = thread.To
	sent.afterReplyTo = append(slices.Clone(sent.threadTo), replyParticipant)
	return sent, got, nil
}

// readThread reads a thread, waiting while it is not visible yet.
func (s *suite) readThread(ctx context.Context, conversationID, threadID string) (threadState, error) {
	var out threadState
	_, err := s.waitFor(ctx, s.opts.VisibilityWait, func() (bool, error) {
		var err error
		out, err = s.c.getThread(ctx, s.group, conversationID, threadID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	return out, err
}

func (s *suite) probeRecipients(ctx context.Context) []Finding {
	rows := []string{"Participants of a new conversation", "Recipients of a new thread", "Thread recipients after a reply adds a participant"}
	addresses, err := s.recipientAddresses(ctx)
	if err != nil {
		return []Finding{failed(rows[0], err)}
	}
	sent, got, err := s.recipientsScenario(ctx, addresses)
	if err != nil {
		return []Finding{failed(rows[0], err)}
	}
	ref, err := s.referenceSuite()
	if err != nil {
		return []Finding{failed(rows[0], err)}
	}
	_, want, err := ref.recipientsScenario(ctx, addresses)
	if err != nil {
		return []Finding{failed(rows[0], fmt.Errorf("the reference emulator: %w", err))}
	}
	compare := func(row string, sent, got, want []recipient) Finding {
		observed := fmt.Sprintf("sent %s, read back %s", formatRecipients(sent), formatRecipients(got))
		if sameRecipients(got, want) {
			return Finding{Behaviour: row, Status: Matched, Observed: observed, Note: "the emulator's behaviour (it has no option)"}
		}
		return Finding{Behaviour: row, Status: Unmatched, Observed: observed,
			Note: "none: the emulator reads back " + formatRecipients(want)}
	}
	return []Finding{
		compare(rows[0], sent.participants, got.participants, want.participants),
		compare(rows[1], append(slices.Clone(sent.threadTo), sent.threadCc...), labelled(got.threadTo, got.threadCc), labelled(want.threadTo, want.threadCc)),
		compare(rows[2], sent.afterReplyTo, got.afterReplyTo, want.afterReplyTo),
	}
}

// labelled joins To and Cc lists, marking the Cc ones.
func labelled(to, cc []recipient) []recipient {
	out := slices.Clone(to)
	for _, r := range cc {
		out = append(out, recipient{Name: "cc: " + r.Name, Address: r.Address})
	}
	return out
}

func formatRecipients(list []recipient) string {
	if len(list) == 0 {
		return "none"
	}
	parts := make([]string, len(list))
	for i, r := range list {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// sameRecipients compares names exactly and addresses ignoring case, as
// mail systems do.
func sameRecipients(a, b []recipient) bool {
	return slices.EqualFunc(a, b, func(x, y recipient) bool {
		return x.Name == y.Name && strings.EqualFold(x.Address, y.Address)
	})
}

// postNumber reads the number the posts probe writes into each body.
var postNumber = regexp.MustCompile(`post (\d{3})`)

// maxPostPages bounds the pages of a post list the probe reads.
const maxPostPages = 40

func (s *suite) probePosts(ctx context.Context) []Finding {
	const behaviour = "Post lists: cap and order"
	conversationID, threadID, err := s.createConversation(ctx, "posts", s.topic("posts"),
		body{ContentType: "text", Content: s.marker + " post 000"}, nil)
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	total := s.opts.Replies + 1
	for i := 1; i <= s.opts.Replies; i++ {
		// One after the other: the order of delivery is what is probed.
		if err := s.c.reply(ctx, s.group, conversationID, threadID, body{ContentType: "text", Content: fmt.Sprintf("%s post %03d", s.marker, i)}, nil); err != nil {
			return []Finding{failed(behaviour, fmt.Errorf("reply %d of %d: %w", i, s.opts.Replies, err))}
		}
	}
	var numbers []int
	var pages int
	next := ""
	for pages < maxPostPages {
		posts, link, err := s.c.postsPage(ctx, s.group, conversationID, threadID, next)
		if err != nil {
			return []Finding{failed(behaviour, err)}
		}
		pages++
		for _, p := range posts {
			if m := postNumber.FindStringSubmatch(p.Body.Content); m != nil {
				n, _ := strconv.Atoi(m[1])
				numbers = append(numbers, n)
			} else {
				numbers = append(numbers, -1)
			}
		}
		if next = link; next == "" {
			break
		}
	}
	return []Finding{classifyPosts(behaviour, numbers, total, pages, next != "")}
}

// classifyPosts names the posts order from the numbers of the posts
// listed, in list order, out of total posts numbered 0 (the first) to
// total-1.
func classifyPosts(behaviour string, numbers []int, total, pages int, truncated bool) Finding {
	ascending := slices.IsSorted(numbers)
	descending := slices.IsSortedFunc(numbers, func(a, b int) int { return b - a })
	hasFirst := slices.Contains(numbers, 0)
	hasNewest := slices.Contains(numbers, total-1)
	order := "in no order"
	switch {
	case len(numbers) < 2:
		order = "too few to order"
	case ascending:
		order = "oldest first"
	case descending:
		order = "newest first"
	}
	observed := fmt.Sprintf("%d of the thread's %d posts listed in %d pages, %s", len(numbers), total, pages, order)
	if truncated {
		observed += fmt.Sprintf(" (stopped after %d pages)", pages)
	}
	missing := func() string {
		switch {
		case !hasFirst && !hasNewest:
			return "; the first and the newest post are missing"
		case !hasFirst:
			return "; the first post is missing"
		case !hasNewest:
			return "; the newest posts are missing"
		}
		return ""
	}()
	observed += missing
	capped := total > 100 && len(numbers) == 100 && !truncated
	switch {
	case slices.Contains(numbers, -1):
		return Finding{Behaviour: behaviour, Status: Failed, Observed: observed + "; a post's body lost its number"}
	case total <= 100 && len(numbers) == total && ascending:
		return Finding{Behaviour: behaviour, Status: Consistent, Observed: observed,
			Settings: []Setting{exactly(flagPostsOrder, emulator.CreationOrder)}, Note: "too few posts to reach the cap"}
	case total <= 100 && len(numbers) == total && descending:
		return Finding{Behaviour: behaviour, Status: Consistent, Observed: observed,
			Settings: []Setting{exactly(flagPostsOrder, emulator.NewestFirst)}, Note: "too few posts to reach the cap"}
	case capped && ascending && hasFirst:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: observed,
			Settings: []Setting{exactly(flagPostsOrder, emulator.CreationOrder)}}
	case capped && descending && hasNewest && !hasFirst:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: observed,
			Settings: []Setting{exactly(flagPostsOrder, emulator.NewestFirst)}}
	case !capped && len(numbers) == total:
		return Finding{Behaviour: behaviour, Status: Unmatched, Observed: observed + ": no cap",
			Note: "none: the emulator stops post lists at 100"}
	}
	return Finding{Behaviour: behaviour, Status: Unmatched, Observed: observed,
		Note: "none: the emulator lists the 100 oldest, oldest first, or the 100 newest, newest first"}
}

// lockedReplyScenario locks a new thread and replies to it; the outcome is
// the reply's status and code, or "accepted".
func (s *suite) lockedReplyScenario(ctx context.Context) (string, error) {
	conversationID, threadID, err := s.createConversation(ctx, "locked thread", s.topic("locked thread"),
		body{ContentType: "text", Content: "A conversation of the locked-reply probe."}, nil)
	if err != nil {
		return "", err
	}
	if err := s.c.lockThread(ctx, s.group, conversationID, threadID); err != nil {
		return "", fmt.Errorf("lock the thread: %w", err)
	}
	if thread, err := s.readThread(ctx, conversationID, threadID); err != nil || !thread.IsLocked {
		return "", fmt.Errorf("the thread does not read back locked (%v)", err)
	}
	err = s.c.reply(ctx, s.group, conversationID, threadID, body{ContentType: "text", Content: "A reply to a locked thread."}, nil)
	if err == nil {
		return "accepted", nil
	}
	ge := asGraphError(err)
	if ge.Status == 0 || ge.Status >= 500 || ge.Status == http.StatusTooManyRequests {
		return "", err
	}
	return "refused with " + ge.short(), nil
}

func (s *suite) probeLockedReply(ctx context.Context) []Finding {
	const behaviour = "Reply to a locked thread"
	return s.compareWithReference(ctx, behaviour, (*suite).lockedReplyScenario)
}

// deleteLastThreadScenario deletes a conversation's only thread and reads
// the conversation.
func (s *suite) deleteLastThreadScenario(ctx context.Context) (string, error) {
	conversationID, threadID, err := s.createConversation(ctx, "delete last thread", s.topic("delete last thread"),
		body{ContentType: "text", Content: "A conversation of the delete-last-thread probe."}, nil)
	if err != nil {
		return "", err
	}
	if err := s.c.deleteThread(ctx, s.group, conversationID, threadID); err != nil {
		ge := asGraphError(err)
		if ge.Status >= 400 && ge.Status < 500 && ge.Status != http.StatusTooManyRequests {
			return "the delete was refused with " + ge.short(), nil
		}
		return "", err
	}
	_, err = s.c.conversationTopic(ctx, s.group, conversationID)
	switch {
	case isNotFound(err):
		return "the thread was deleted and the conversation went with it (404)", nil
	case err == nil:
		return "the thread was deleted and the conversation remained", nil
	}
	return "", err
}

func (s *suite) probeDeleteLastThread(ctx context.Context) []Finding {
	return s.compareWithReference(ctx, "Delete a conversation's only thread", (*suite).deleteLastThreadScenario)
}

// compareWithReference runs a scenario against the service and against the
// reference emulator and compares their outcomes.
func (s *suite) compareWithReference(ctx context.Context, behaviour string, scenario func(*suite, context.Context) (string, error)) []Finding {
	got, err := scenario(s, ctx)
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	ref, err := s.referenceSuite()
	if err != nil {
		return []Finding{failed(behaviour, err)}
	}
	want, err := scenario(ref, ctx)
	if err != nil {
		return []Finding{failed(behaviour, fmt.Errorf("the reference emulator: %w", err))}
	}
	if got == want {
		return []Finding{{Behaviour: behaviour, Status: Matched, Observed: got, Note: "the emulator's behaviour (it has no option)"}}
	}
	return []Finding{{Behaviour: behaviour, Status: Unmatched, Observed: got, Note: "none: the emulator's answer: " + want}}
}
