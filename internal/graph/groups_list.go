package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// GroupProperty is a group property FindGroups can match on.
type GroupProperty string

// The properties groups can be found by. Directory matching of both is
// case-insensitive.
const (
	GroupDisplayName  GroupProperty = "displayName"
	GroupMailNickname GroupProperty = "mailNickname"
)

// groupSelect names exactly what Group holds.
var groupSelect = []string{"id", "displayName", "mail", "mailNickname", "groupTypes"}

// FindGroups lists the groups whose property equals value, following every
// page. Display names are not unique, so several groups can match; the
// caller decides what zero or several matches mean.
func (c *Client) FindGroups(ctx context.Context, property GroupProperty, value string) ([]Group, error) {
	op := fmt.Sprintf("find groups by %s", property)
	if property != GroupDisplayName && property != GroupMailNickname {
		return nil, &Error{Operation: op, Err: fmt.Errorf("groups cannot be found by %q", property)}
	}
	filter := groupFilter(property, value)
	ctx, attempts := withAttemptCounter(ctx)
	first, err := c.groups.ToGetRequestInformation(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Filter: &filter, Select: groupSelect},
	})
	if err != nil {
		return nil, newError(op, int(attempts.Load()), err)
	}
	return listAll(ctx, c, op, attempts, first, models.CreateGroupCollectionResponseFromDiscriminatorValue, fromGroup)
}

// groupFilter is the OData comparison "property eq 'value'". A single quote
// inside an OData string literal is written as two.
func groupFilter(property GroupProperty, value string) string {
	return fmt.Sprintf("%s eq '%s'", property, strings.ReplaceAll(value, "'", "''"))
}

func fromGroup(g models.Groupable) Group {
	return Group{
		ID:           deref(g.GetId()),
		DisplayName:  deref(g.GetDisplayName()),
		Mail:         deref(g.GetMail()),
		MailNickname: deref(g.GetMailNickname()),
		GroupTypes:   g.GetGroupTypes(),
	}
}
