package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Creating and deleting groups over HTTP exists for tools that probe a
// service for what happens to a new group, such as how long its mailbox takes
// to answer (Behaviour.MailboxDelay): they run the same requests against a
// tenant and against the emulator. Groups are directory objects, so these
// routes answer the directory way (Request_* codes) and never pass through a
// mailbox's concurrency limit or faults.

type groupIn struct {
	DisplayName     *string   `json:"displayName"`
	MailNickname    *string   `json:"mailNickname"`
	MailEnabled     *bool     `json:"mailEnabled"`
	SecurityEnabled *bool     `json:"securityEnabled"`
	GroupTypes      []*string `json:"groupTypes"`
}

// maxMailNicknameLength is the directory's limit on mailNickname
// (documented: resources/group).
const maxMailNicknameLength = 64

// createGroup answers POST /groups with 201 and the new group. displayName,
// mailEnabled, mailNickname and securityEnabled are required (documented:
// group-post-groups); the code and wording of the refusals are inferred from
// other directory answers, except the duplicate mailNickname message, which
// is observed. A Microsoft 365 group ("Unified") gets an address in the
// caller's mail domain and a mailbox that is ready after
// Behaviour.MailboxDelay.
func (s *Server) createGroup(c *call) *apiError {
	var in groupIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	invalid := func(property string) *apiError {
		return newAPIError(http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Invalid value specified for property '%s' of resource 'Group'.", property))
	}
	switch {
	case in.DisplayName == nil || strings.TrimSpace(*in.DisplayName) == "":
		return invalid("displayName")
	case in.MailNickname == nil || !validMailNickname(*in.MailNickname):
		return invalid("mailNickname")
	case in.MailEnabled == nil:
		return invalid("mailEnabled")
	case in.SecurityEnabled == nil:
		return invalid("securityEnabled")
	}
	g := Group{
		DisplayName:     *in.DisplayName,
		MailNickname:    *in.MailNickname,
		MailEnabled:     *in.MailEnabled,
		SecurityEnabled: *in.SecurityEnabled,
	}
	for _, t := range in.GroupTypes {
		if t == nil {
			return invalid("groupTypes")
		}
		g.GroupTypes = append(g.GroupTypes, *t)
	}
	if isUnified(g) {
		g.Mail = g.MailNickname + "@" + mailDomainOf(c.principal)
	}
	var created Group
	if err := s.lockStore(func(st *store) *apiError {
		for _, id := range st.groupOrder {
			if strings.EqualFold(st.groups[id].group.MailNickname, g.MailNickname) {
				return newAPIError(http.StatusBadRequest, "Request_BadRequest",
					"Another object with the same value for property mailNickname already exists.")
			}
		}
		created = cloneGroup(st.addGroupLocked(g, c.now))
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata("groups/$entity")}}
	c.writeJSON(http.StatusCreated, append(out, groupJSON(created)...))
	return nil
}

// deleteGroup answers DELETE /groups/{id} with 204 and removes the group
// with everything in its mailbox. Graph keeps a deleted Microsoft 365 group
// restorable for 30 days (documented: group-delete); the emulator forgets it,
// so a second delete answers 404 as Graph's does.
func (s *Server) deleteGroup(c *call) *apiError {
	if err := s.lockStore(func(st *store) *apiError {
		g, err := st.group(c.route.groupID)
		if err != nil {
			return err
		}
		delete(st.groups, g.group.ID)
		st.groupOrder = slices.DeleteFunc(st.groupOrder, func(id string) bool { return id == g.group.ID })
		return nil
	}); err != nil {
		return err
	}
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// validMailNickname accepts what the directory accepts in a mail alias:
// ASCII letters, digits and the punctuation of an email local part, at most
// 64 characters, not starting or ending with a dot.
func validMailNickname(s string) bool {
	if s == "" || len(s) > maxMailNicknameLength || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_.!#$%&'*+/=?^`{|}~", r)) {
			return false
		}
	}
	return true
}

// mailDomainOf is the domain of the caller's address: a tenant gives a new
// group an address in its default domain.
func mailDomainOf(p Principal) string {
	if _, domain, ok := strings.Cut(p.Address, "@"); ok && domain != "" {
		return domain
	}
	return "contoso.example"
}
