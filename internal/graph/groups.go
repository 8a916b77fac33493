package graph

import (
	"context"
	"fmt"
	"net/http"
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

// ExplainCreateFailure turns a failed create into advice. Graph's own answer
// is often cryptic (a 404 with an Exchange code for a security group, a bare
// 403 for an application token), so only after a failure does it look at the
// group and at the token; the happy path costs no extra request. It returns ""
// when it has nothing to add.
func (c *Client) ExplainCreateFailure(ctx context.Context, groupID string, createErr error) string {
	switch StatusCode(createErr) {
	case http.StatusUnauthorized:
		return c.unauthorizedAdvice()
	case http.StatusForbidden:
		if c.tokenIsAppOnly(ctx) {
			return appOnlyCreateAdvice
		}
		return fmt.Sprintf("The signed-in user may not post to group %s: make sure the user is a member of the group (or an owner) and the token carries Group.ReadWrite.All or Group-Conversation.ReadWrite.All.", groupID)
	case http.StatusNotFound, http.StatusBadRequest:
		group, err := c.GetGroup(ctx, groupID)
		switch {
		case IsNotFound(err):
			return fmt.Sprintf("The group %s does not exist (or the signed-in identity cannot see it). Check group_id.", groupID)
		case err != nil:
			return ""
		case !group.IsMicrosoft365():
			return fmt.Sprintf("The group %q (%s) is not a Microsoft 365 group: only groups whose groupTypes contain \"Unified\" have a group mailbox and conversations.", group.DisplayName, groupID)
		}
	}
	return ""
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
