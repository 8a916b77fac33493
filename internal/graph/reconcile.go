package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// clockSkew is how far Graph's clock may run behind ours when matching an
// object's delivery time against when we sent its create.
const clockSkew = 5 * time.Minute

// The searches below look for the object a create whose answer proved
// nothing may have made. With a key, the object is the one whose first post
// carries it, whatever Exchange did to the topic or the body. Without one
// (the service refused stamps), the fallback matches on content: same
// topic, same body once Exchange's wrapping is removed, same recipients, and
// not already claimed by another create of this client. Either way only
// objects delivered no earlier than the create was sent (less clockSkew) are
// candidates, which keeps the search to the few objects a busy group
// received since. A new object can be missing from lists for a while
// (Exchange answers 404 for seconds after a create), so "not created" is
// only concluded once the visibility grace has passed since the create was
// sent.

// findCreatedConversation searches groupID for the conversation a create of
// in, stamped with key ("" for none) and sent at sentAt, made.
func (c *Client) findCreatedConversation(ctx context.Context, groupID string, in NewConversation, key string, sentAt time.Time) (CreatedConversation, bool, error) {
	return searchUntilSettled(ctx, c, "conversation", sentAt, func(ctx context.Context) (CreatedConversation, bool, error) {
		// Only conversations delivered since the create was sent can be
		// its; where the service takes $filter on lastDeliveredDateTime,
		// only those are listed, which keeps the search to a page in a
		// mailbox of thousands.
		conversations, err := c.listConversationsDeliveredSince(ctx, groupID, sentAt.Add(-clockSkew))
		if err != nil {
			return CreatedConversation{}, false, err
		}
		candidates := slices.DeleteFunc(conversations, func(cv Conversation) bool {
			return c.isClaimed(cv.ID) || deliveredBefore(cv.LastDeliveredDateTime, sentAt) || (key == "" && cv.Topic != in.Topic)
		})
		// Newest first, those with the topic sent ahead of the others: the
		// create looked for is most likely the latest one, and Exchange may
		// have normalised the topic, so with a key the others are checked
		// too.
		slices.SortStableFunc(candidates, func(a, b Conversation) int {
			if sameA, sameB := a.Topic == in.Topic, b.Topic == in.Topic; sameA != sameB {
				if sameA {
					return -1
				}
				return 1
			}
			return b.LastDeliveredDateTime.Compare(a.LastDeliveredDateTime)
		})
		for _, candidate := range candidates {
			var threadID string
			var match bool
			var err error
			if key != "" {
				threadID, match, err = c.threadStampedWith(ctx, groupID, candidate.ID, key, sentAt)
			} else {
				var post StartingPost
				threadID, post, err = c.FirstPost(ctx, groupID, candidate.ID)
				match = err == nil && sameConversationPost(in, post.Post)
			}
			if IsNotFound(err) || (err == nil && !match) {
				continue
			}
			if err != nil {
				return CreatedConversation{}, false, err
			}
			if !c.claim(candidate.ID) {
				continue
			}
			return CreatedConversation{ID: candidate.ID, ThreadID: threadID}, true, nil
		}
		return CreatedConversation{}, false, nil
	})
}

// threadStampedWith finds the thread of a conversation whose post carries
// key.
func (c *Client) threadStampedWith(ctx context.Context, groupID, conversationID, key string, sentAt time.Time) (string, bool, error) {
	threads, err := c.listThreads(ctx, groupID, conversationID, []string{"id", "lastDeliveredDateTime"})
	if err != nil {
		return "", false, err
	}
	for _, t := range threads {
		if deliveredBefore(t.LastDeliveredDateTime, sentAt) {
			continue
		}
		posts, err := c.listPostsWithStamps(ctx, groupID, conversationID, t.ID)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return "", false, err
		}
		if slices.ContainsFunc(posts, func(p Post) bool { return p.CreateKey == key }) {
			return t.ID, true, nil
		}
	}
	return "", false, nil
}

// findCreatedThread searches a conversation for the thread a create of in,
// stamped with key ("" for none) and sent at sentAt, made.
func (c *Client) findCreatedThread(ctx context.Context, groupID, conversationID string, in NewThread, key string, sentAt time.Time) (string, bool, error) {
	return searchUntilSettled(ctx, c, "thread", sentAt, func(ctx context.Context) (string, bool, error) {
		threads, err := c.listThreads(ctx, groupID, conversationID, threadSelect)
		if IsNotFound(err) {
			// The conversation is not visible (yet, or any more): nothing
			// to find in it now.
			return "", false, nil
		}
		if err != nil {
			return "", false, err
		}
		candidates := slices.DeleteFunc(threads, func(t Thread) bool {
			return c.isClaimed(t.ID) || deliveredBefore(t.LastDeliveredDateTime, sentAt)
		})
		slices.SortStableFunc(candidates, func(a, b Thread) int { return b.LastDeliveredDateTime.Compare(a.LastDeliveredDateTime) })
		for _, candidate := range candidates {
			var posts []Post
			if key != "" {
				posts, err = c.listPostsWithStamps(ctx, groupID, conversationID, candidate.ID)
			} else {
				posts, err = c.listPosts(ctx, groupID, conversationID, candidate.ID)
			}
			if IsNotFound(err) || (err == nil && len(posts) == 0) {
				continue
			}
			if err != nil {
				return "", false, err
			}
			var match bool
			if key != "" {
				match = slices.ContainsFunc(posts, func(p Post) bool { return p.CreateKey == key })
			} else {
				earliest, _ := earliestPost(posts)
				match = sameThreadPost(in, candidate, earliest)
			}
			if !match || !c.claim(candidate.ID) {
				continue
			}
			return candidate.ID, true, nil
		}
		return "", false, nil
	})
}

// searchUntilSettled runs search until it finds the object or the
// visibility grace has passed since sentAt with no match. If ctx ends first,
// that is an error: whether the object exists is still unknown.
func searchUntilSettled[T any](ctx context.Context, c *Client, what string, sentAt time.Time, search func(context.Context) (T, bool, error)) (T, bool, error) {
	var zero T
	settled := sentAt.Add(c.visibilityGrace)
	for attempt := 1; ; attempt++ {
		found, ok, err := search(ctx)
		if err != nil || ok {
			return found, ok, err
		}
		if time.Now().After(settled) {
			return zero, false, nil
		}
		delay := min(jitteredBackoff(c.retryBaseDelay, 8*c.retryBaseDelay, attempt), time.Until(settled)+time.Millisecond)
		if !fitsDeadline(ctx, delay) {
			return zero, false, fmt.Errorf(
				"the %s was not found after %d searches, but a new %s can stay invisible for up to %s and the deadline ends first",
				what, attempt, what, c.visibilityGrace)
		}
		if err := sleepContext(ctx, delay); err != nil {
			return zero, false, err
		}
	}
}

// deliveredBefore reports whether an object last delivered at delivered
// predates a create sent at sentAt, and so cannot be what it made.
func deliveredBefore(delivered, sentAt time.Time) bool {
	return !delivered.IsZero() && delivered.Before(sentAt.Add(-clockSkew))
}

func (c *Client) isClaimed(id string) bool {
	_, claimed := c.claimed.Load(id)
	return claimed
}

// claim records id as this client's, reporting false when another create
// claimed it first.
func (c *Client) claim(id string) bool {
	_, taken := c.claimed.LoadOrStore(id, true)
	return !taken
}

// sameConversationPost reports whether a stored first post is the one a
// create of in would make.
func sameConversationPost(in NewConversation, post Post) bool {
	return sameBody(in.Body, post.Body) && sameAddresses(in.NewParticipants, post.NewParticipants)
}

// sameThreadPost reports whether a stored thread and its first post are what
// a create of in would make.
func sameThreadPost(in NewThread, thread Thread, first Post) bool {
	return sameBody(in.Body, first.Body) && sameAddresses(in.ToRecipients, thread.ToRecipients) &&
		sameAddresses(in.CcRecipients, thread.CcRecipients)
}

func sameBody(want, got ItemBody) bool {
	return SameBody(want, got)
}

func sameAddresses(a, b []Recipient) bool {
	addresses := func(rs []Recipient) []string {
		out := make([]string, 0, len(rs))
		for _, r := range rs {
			out = append(out, strings.ToLower(r.Address))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(addresses(a), addresses(b))
}
