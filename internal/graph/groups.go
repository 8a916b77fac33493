package graph

import (
	"context"
	"slices"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
)

// Group is the part of a directory group the provider needs.
type Group struct {
	ID           string
	DisplayName  string
	Mail         string
	MailNickname string
	GroupTypes   []string
}

// IsMicrosoft365 reports a Microsoft 365 ("Unified") group: only those have
// a group mailbox, and so conversations.
func (g Group) IsMicrosoft365() bool {
	return slices.ContainsFunc(g.GroupTypes, func(t string) bool { return strings.EqualFold(t, "Unified") })
}

// GetGroup reads a group.
func (c *Client) GetGroup(ctx context.Context, groupID string) (Group, error) {
	ctx, attempts := withAttemptCounter(ctx)
	ctx, answer := withAnswerRecord(ctx)
	got, err := c.groups.ByGroupId(groupID).Get(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: groupSelect},
	})
	if err != nil {
		return Group{}, newAnswerError("read group", int(attempts.Load()), err, answer)
	}
	// Group ids are GUIDs, which the directory compares ignoring case.
	if err := checkReadBack("read group", "group", groupID, got, answer, attempts, true); err != nil {
		return Group{}, err
	}
	return fromGroup(got), nil
}

// tokenIsAppOnly inspects the token the client is sending. The token itself
// never leaves this function.
func (c *Client) tokenIsAppOnly(ctx context.Context) bool {
	token, err := c.credential.GetToken(ctx, tokenRequest(c.scopes))
	if err != nil {
		return false
	}
	appOnly, _ := isAppOnlyToken(token.Token)
	return appOnly
}
