package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

func groupJSON(g Group) object {
	groupTypes := g.GroupTypes
	if groupTypes == nil {
		groupTypes = []string{}
	}
	// Graph writes null, not "", for a group without mail.
	var mail any
	if g.Mail != "" {
		mail = g.Mail
	}
	return object{
		{"id", g.ID},
		{"displayName", g.DisplayName},
		{"mail", mail},
		{"mailNickname", g.MailNickname},
		{"groupTypes", groupTypes},
		{"mailEnabled", g.MailEnabled},
		{"securityEnabled", g.SecurityEnabled},
	}
}

func (s *Server) getGroup(c *call) *apiError {
	sel, err := resolveSelect(groupEntity, c.query)
	if err != nil {
		return err
	}
	var g Group
	if err := s.lockStore(func(st *store) *apiError {
		gs, err := st.group(c.route.groupID)
		if err != nil {
			return err
		}
		g = cloneGroup(gs.group)
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(contextSegment("groups", sel) + "/$entity")}}
	c.writeJSON(http.StatusOK, append(out, project(groupEntity, groupJSON(g), sel)...))
	return nil
}

// listGroups supports only the $filter shapes the provider's data sources
// need: displayName or mailNickname compared with eq. Directory matching of
// these string properties is case-insensitive.
func (s *Server) listGroups(c *call) *apiError {
	sel, err := resolveSelect(groupEntity, c.query)
	if err != nil {
		return err
	}
	match := func(Group) bool { return true }
	if c.query.hasFilter {
		clause, ok := parseSimpleFilter(c.query.filter)
		value, isString := clause.literal.(string)
		property := strings.ToLower(clause.property)
		if !ok || !isString || clause.operator != "eq" || property != "displayname" && property != "mailnickname" {
			return newAPIError(http.StatusBadRequest, "Request_UnsupportedQuery",
				fmt.Sprintf("Unsupported or invalid query filter clause specified for property '%s' of resource 'Group'.", clause.property))
		}
		match = func(g Group) bool {
			if property == "displayname" {
				return strings.EqualFold(g.DisplayName, value)
			}
			return strings.EqualFold(g.MailNickname, value)
		}
	}
	var items []object
	_ = s.lockStore(func(st *store) *apiError {
		for _, id := range st.groupOrder {
			if g := st.groups[id].group; match(g) {
				items = append(items, project(groupEntity, groupJSON(g), sel))
			}
		}
		return nil
	})
	c.writeCollection(c.metadata(contextSegment("groups", sel)), items)
	return nil
}
