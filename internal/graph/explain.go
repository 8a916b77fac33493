package graph

import (
	"context"
	"fmt"
	"net/http"
)

// ExplainReadFailure turns a failed read of a group's conversations,
// threads or posts into advice, as ExplainCreateFailure does for creates:
// only after a failure does it look at the group. Reads, unlike creates,
// are allowed with application tokens. It returns "" when it has nothing to
// add.
func (c *Client) ExplainReadFailure(ctx context.Context, groupID string, readErr error) string {
	switch StatusCode(readErr) {
	case http.StatusUnauthorized:
		return c.unauthorizedAdvice()
	case http.StatusForbidden:
		return fmt.Sprintf("The signed-in identity may not read the conversations of group %s: the token needs Group-Conversation.Read.All or Group.Read.All, and a user must be a member of a private group.", groupID)
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
