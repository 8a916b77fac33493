package graph

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// ListConversations lists every conversation of a group, following
// @odata.nextLink to the end. It sends no $top: Graph documents none for this
// list (Graph's docs: group-list-conversations), so the service's own page
// size is used. Graph promises no order.
func (c *Client) ListConversations(ctx context.Context, groupID string) ([]Conversation, error) {
	return c.listConversations(ctx, groupID, nil)
}

// listConversations lists a group's conversations, asking for pages of top
// when top is set.
func (c *Client) listConversations(ctx context.Context, groupID string, top *int32) ([]Conversation, error) {
	const op = "list conversations"
	ctx, attempts := withAttemptCounter(ctx)
	first, err := c.groups.ByGroupId(groupID).Conversations().ToGetRequestInformation(ctx, &groups.ItemConversationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsRequestBuilderGetQueryParameters{Select: conversationSelect, Top: top},
	})
	if err != nil {
		return nil, newError(op, int(attempts.Load()), err)
	}
	return listAll(ctx, c, op, attempts, first, models.CreateConversationCollectionResponseFromDiscriminatorValue, fromConversation)
}
