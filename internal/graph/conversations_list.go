package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// How a group's conversation list pages is not documented (Graph's docs:
// group-list-conversations documents $select and $filter only), and the
// services it may be differ in what serves a client best:
//   - $top may be the page size (pages of up to the service's cap), or a cap
//     on the whole listing, as OData defines it: then $top=1000 sees the
//     first 1000 conversations and no more;
//   - Prefer: odata.maxpagesize is how Outlook's REST endpoints let a client
//     ask for larger pages; a service that does not know it ignores it, and
//     it never shortens a listing.
// So a listing that must be complete asks with Prefer alone, and a listing
// that only saves GETs (the coalesced reads, where whatever it misses is read
// with its own GET) asks with both.

// listingPageSize is the page size asked for. Graph documents no maximum; a
// smaller page the service imposes is followed by nextLink.
const listingPageSize = 1000

// maxPageSizePreference asks for pages of listingPageSize.
var maxPageSizePreference = fmt.Sprintf("odata.maxpagesize=%d", listingPageSize)

// maxSettleListings bounds how many times ListConversationsSettled lists a
// group whose list shifts under it.
const maxSettleListings = 3

// conversationListRequest is how a conversation list is asked for.
type conversationListRequest struct {
	// top sends $top=listingPageSize: larger pages where $top is the page
	// size, at the risk of a listing cut at listingPageSize where it caps
	// the total.
	top bool
	// since, when not zero, lists only the conversations delivered since
	// (lastDeliveredDateTime ge since, to the second).
	since time.Time
}

// conversationPager starts a listing of a group's conversations.
func (c *Client) conversationPager(ctx context.Context, groupID string, req conversationListRequest) (
	*pager[models.Conversationable, Conversation], error) {
	const op = "list conversations"
	ctx, attempts := withAttemptCounter(ctx)
	params := &groups.ItemConversationsRequestBuilderGetQueryParameters{Select: conversationSelect}
	if req.top {
		top := int32(listingPageSize)
		params.Top = &top
	}
	if !req.since.IsZero() {
		filter := deliveredSinceFilter(req.since)
		params.Filter = &filter
	}
	headers := abs.NewRequestHeaders()
	headers.Add("Prefer", maxPageSizePreference)
	first, err := c.groups.ByGroupId(groupID).Conversations().ToGetRequestInformation(ctx,
		&groups.ItemConversationsRequestBuilderGetRequestConfiguration{QueryParameters: params, Headers: headers})
	if err != nil {
		return nil, newError(op, int(attempts.Load()), err)
	}
	return newPager(c, op, attempts, first, models.CreateConversationCollectionResponseFromDiscriminatorValue, fromConversation), nil
}

// deliveredSinceFilter is the $filter of the conversations delivered at or
// after since. Graph writes lastDeliveredDateTime to the second, so since is
// rounded down to the second: a conversation delivered within since's
// second is listed, never missed.
func deliveredSinceFilter(since time.Time) string {
	return "lastDeliveredDateTime ge " + since.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// ListConversations lists every conversation of a group, following
// @odata.nextLink to the end. It sends no $top, which may cap the whole
// listing, and asks for large pages with Prefer: odata.maxpagesize. Graph
// promises no order.
func (c *Client) ListConversations(ctx context.Context, groupID string) ([]Conversation, error) {
	conversations, _, err := c.listAllConversations(ctx, groupID, time.Time{})
	return conversations, err
}

// listAllConversations lists a group's conversations delivered since since
// (all of them when it is zero) and reports how many were listed twice.
func (c *Client) listAllConversations(ctx context.Context, groupID string, since time.Time) ([]Conversation, int, error) {
	p, err := c.conversationPager(ctx, groupID, conversationListRequest{since: since})
	if err != nil {
		return nil, 0, err
	}
	var out []Conversation
	for {
		items, more, err := p.next(ctx)
		if err != nil {
			return nil, p.duplicates, err
		}
		out = append(out, items...)
		if !more {
			return out, p.duplicates, nil
		}
	}
}

// listConversationsDeliveredSince lists the conversations of a group
// delivered since since: with $filter where the service takes it, else
// (see noteFilterRefused) every conversation, keeping those.
func (c *Client) listConversationsDeliveredSince(ctx context.Context, groupID string, since time.Time) ([]Conversation, error) {
	if !c.filterRefused.Load() {
		conversations, _, err := c.listAllConversations(ctx, groupID, since)
		if !isFilterRefusal(err) {
			return conversations, err
		}
		c.noteFilterRefused(ctx, err)
	}
	conversations, err := c.ListConversations(ctx, groupID)
	if err != nil {
		return nil, err
	}
	kept := conversations[:0]
	for _, cv := range conversations {
		if cv.LastDeliveredDateTime.IsZero() || !cv.LastDeliveredDateTime.Before(since.Truncate(time.Second)) {
			kept = append(kept, cv)
		}
	}
	return kept, nil
}

// ConversationList is a group's conversations as ListConversationsSettled
// found them.
type ConversationList struct {
	Conversations []Conversation
	// Listings is how many times the group was listed.
	Listings int
	// Unsettled reports that the list shifted under every listing (each
	// listed some conversation twice, so another may have been missed):
	// Conversations is then every conversation any of the listings saw,
	// which can include one deleted meanwhile.
	Unsettled bool
}

// ListConversationsSettled lists every conversation of a group, as
// ListConversations does, and makes sure that no conversation was missed
// because the list shifted while it was paged. A service that orders the
// list by last delivery and pages with $skip moves a conversation that gets
// a reply between two pages to the front: the next page repeats a
// conversation (which the pager drops) and the one that moved, already
// behind the reader, is missed. A listing that saw a repeat is taken again,
// at most maxSettleListings times; if none came out clean, the union of
// what they saw is returned, marked Unsettled.
func (c *Client) ListConversationsSettled(ctx context.Context, groupID string) (ConversationList, error) {
	var (
		union = make(map[string]int) // id → index in out.Conversations
		out   ConversationList
	)
	for out.Listings < maxSettleListings {
		conversations, duplicates, err := c.listAllConversations(ctx, groupID, time.Time{})
		if err != nil {
			return ConversationList{}, err
		}
		out.Listings++
		if duplicates == 0 {
			out.Conversations = conversations
			return out, nil
		}
		tflog.Debug(ctx, "The conversation list shifted while it was paged; listing it again", map[string]any{
			"group_id": groupID, "listed_twice": duplicates, "listing": out.Listings,
		})
		for _, cv := range conversations {
			if i, seen := union[cv.ID]; seen {
				out.Conversations[i] = cv
				continue
			}
			union[cv.ID] = len(out.Conversations)
			out.Conversations = append(out.Conversations, cv)
		}
	}
	out.Unsettled = true
	return out, nil
}

// isFilterRefusal reports a filtered list the service refused because of
// its $filter: Graph documents lastDeliveredDateTime as filterable only on
// its beta page, and the service answered every filter on this list with 501
// FilteringOnConversations until about 2022 (microsoft-graph-docs#911).
// Exchange answers a filter it does not take with 400
// ErrorInvalidUrlQueryFilter; a 400 that names neither a filter nor the
// query (a mailbox that is not ready answers 400 or 404
// MailboxNotEnabledForRESTAPI) is about something else.
func isFilterRefusal(err error) bool {
	var ge *Error
	if !errors.As(err, &ge) || ge.Failure != "" {
		return false
	}
	switch ge.StatusCode {
	case http.StatusNotImplemented:
		return true
	case http.StatusBadRequest:
		text := strings.ToLower(ge.Code + " " + ge.Message)
		return strings.Contains(text, "filter") || strings.Contains(text, "query")
	}
	return false
}

// noteFilterRefused makes every later listing of this client go without
// $filter, keeps when for the next run's hints (see ListingHint), and says
// so once.
func (c *Client) noteFilterRefused(ctx context.Context, refusal error) {
	c.listings.noteFilterRefused(time.Now())
	c.filterRefused.Store(true)
	c.filterRefusedOnce.Do(func() {
		tflog.Info(ctx, "Microsoft Graph refused $filter on lastDeliveredDateTime; listing without it for the rest of this run",
			map[string]any{"error": refusal.Error()})
	})
}
