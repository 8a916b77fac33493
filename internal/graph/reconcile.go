package graph

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// clockSkew is how far Graph's clock may run behind ours when matching a
// conversation's delivery time against when we sent its create.
const clockSkew = 5 * time.Minute

// answerLost reports whether a create failed in a way that leaves open
// whether Graph acted on it: a 5xx (a gateway may answer 502/503/504 after
// the service acted), or a connection that broke or timed out after the
// request was sent. A request that never left this machine (no connection
// could be made) and a 4xx are not ambiguous.
func answerLost(err error) bool {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		return oe.ResponseStatusCode >= 500
	}
	var ae *abs.ApiError
	if errors.As(err, &ae) {
		return ae.ResponseStatusCode >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue) && !neverSent(err)
}

// neverSent reports a transport error raised before the request could be
// written: resolving or connecting failed.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// findCreatedConversation looks for the conversation a create with a lost
// answer may have made: same topic, delivered no earlier than the create was
// sent, first post with the same body and participants, and not already
// claimed by another create of this client. A new conversation can be
// missing from lists for a while (microsoft-graph-docs#92), so "not found"
// is only concluded once visibilityGrace has passed since the create was
// sent; if ctx ends first, that is an error, as the answer is still unknown.
func (c *Client) findCreatedConversation(ctx context.Context, groupID string, in NewConversation, sentAt time.Time) (CreatedConversation, bool, error) {
	settled := sentAt.Add(c.visibilityGrace)
	for attempt := 1; ; attempt++ {
		conversations, err := c.ListConversations(ctx, groupID)
		if err != nil {
			return CreatedConversation{}, false, err
		}
		candidates := slices.DeleteFunc(conversations, func(cv Conversation) bool {
			_, claimed := c.claimed.Load(cv.ID)
			return claimed || cv.Topic != in.Topic ||
				(!cv.LastDeliveredDateTime.IsZero() && cv.LastDeliveredDateTime.Before(sentAt.Add(-clockSkew)))
		})
		// Newest first: the create we are looking for is the latest one.
		slices.SortFunc(candidates, func(a, b Conversation) int { return b.LastDeliveredDateTime.Compare(a.LastDeliveredDateTime) })
		for _, candidate := range candidates {
			threadID, post, err := c.FirstPost(ctx, groupID, candidate.ID)
			if IsNotFound(err) {
				continue
			}
			if err != nil {
				return CreatedConversation{}, false, err
			}
			if samePost(in, post) {
				if _, taken := c.claimed.LoadOrStore(candidate.ID, true); taken {
					continue
				}
				return CreatedConversation{ID: candidate.ID, ThreadID: threadID}, true, nil
			}
		}
		if time.Now().After(settled) {
			return CreatedConversation{}, false, nil
		}
		delay := min(jitteredBackoff(c.retryBaseDelay, 8*c.retryBaseDelay, attempt), time.Until(settled)+time.Millisecond)
		if !fitsDeadline(ctx, delay) {
			return CreatedConversation{}, false, fmt.Errorf(
				"the conversation was not found after %d searches, but a new conversation can stay invisible for up to %s and the create deadline ends first",
				attempt, c.visibilityGrace)
		}
		if err := sleepContext(ctx, delay); err != nil {
			return CreatedConversation{}, false, err
		}
	}
}

// samePost reports whether a stored first post is the one in would create.
func samePost(in NewConversation, post Post) bool {
	wantType := in.Body.ContentType
	if wantType == "" {
		wantType = "html"
	}
	if !strings.EqualFold(post.Body.ContentType, wantType) || !SameBodyContent(in.Body.Content, post.Body.Content) {
		return false
	}
	addresses := func(rs []Recipient) []string {
		out := make([]string, 0, len(rs))
		for _, r := range rs {
			out = append(out, strings.ToLower(r.Address))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(addresses(in.NewParticipants), addresses(post.NewParticipants))
}
