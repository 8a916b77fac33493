package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

func conversationJSON(c Conversation) object {
	return object{
		{"id", c.ID},
		{"topic", c.Topic},
		{"hasAttachments", c.HasAttachments},
		{"lastDeliveredDateTime", formatTime(c.LastDeliveredDateTime)},
		{"uniqueSenders", stringsJSON(c.UniqueSenders)},
		{"preview", c.Preview},
	}
}

func (c *call) groupContext() string {
	return fmt.Sprintf("groups('%s')", contextID(strings.ToLower(c.route.groupID)))
}

// listConversations lists the group's conversations in the order and pages
// the server's Behaviour picks (creation order by default; see
// Behaviour.ListOrder), building answers only for the page served, so a
// mailbox of thousands lists fast.
//
// $filter is documented for hasAttachments eq/ne (Graph's docs:
// group-list-conversations) and, on the beta page for conversation, for
// lastDeliveredDateTime eq/ne/le/ge; the second is honoured only with
// Behaviour.FilterLastDelivered. Any other filter gets the Exchange-style 400
// ErrorInvalidUrlQueryFilter.
func (s *Server) listConversations(c *call) *apiError {
	sel, err := resolveSelect(conversationEntity, c.query)
	if err != nil {
		return err
	}
	var page listPage
	var items []object
	if err := s.lockStore(func(st *store) *apiError {
		match, err := conversationFilter(c.query, st.behaviour)
		if err != nil {
			return err
		}
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		convs := slices.DeleteFunc(g.visibleConversations(c.now), func(conv *conversationState) bool { return !match(g, conv) })
		g.orderConversations(convs, st.behaviour.ListOrder)
		page = c.pageOf(len(convs), st.behaviour.pagingRules())
		for _, conv := range convs[page.start:page.end] {
			items = append(items, project(conversationEntity, conversationJSON(g.conversationSnapshot(conv)), sel))
		}
		return nil
	}); err != nil {
		return err
	}
	c.writePage(c.metadata(c.groupContext()+"/"+contextSegment("conversations", sel)), page, items)
	return nil
}

// conversationFilter is the $filter of a conversation list as a predicate:
// every conversation when there is none.
func conversationFilter(q queryOptions, b Behaviour) (func(*groupState, *conversationState) bool, *apiError) {
	if !q.hasFilter {
		return func(*groupState, *conversationState) bool { return true }, nil
	}
	if clause, ok := parseSimpleFilter(q.filter); ok && strings.EqualFold(clause.property, "hasAttachments") {
		want, isBool := clause.literal.(bool)
		if !isBool {
			return nil, errUnsupportedFilter()
		}
		return func(g *groupState, conv *conversationState) bool {
			has := g.summarize(g.conversationPostIDs(conv)).hasAttachments
			return (has == want) == (clause.operator == "eq")
		}, nil
	}
	if !b.FilterLastDelivered {
		return nil, errUnsupportedFilter()
	}
	operator, bound, ok := parseLastDeliveredFilter(q.filter)
	if !ok {
		return nil, errUnsupportedFilter()
	}
	return func(g *groupState, conv *conversationState) bool {
		// Graph writes the property to the second, and compares what it
		// writes.
		delivered := g.conversationActivity(conv).at.UTC().Truncate(time.Second)
		switch operator {
		case "eq":
			return delivered.Equal(bound)
		case "ne":
			return !delivered.Equal(bound)
		case "le":
			return !delivered.After(bound)
		default: // "ge"
			return !delivered.Before(bound)
		}
	}, nil
}

// parseLastDeliveredFilter reads "lastDeliveredDateTime <op> <literal>" with
// op one of eq, ne, le, ge (the operators Graph's docs list for the
// property) and an OData DateTimeOffset literal, written without quotes
// (2021-08-02T11:42:38Z, fractions and offsets allowed).
func parseLastDeliveredFilter(filter string) (operator string, bound time.Time, ok bool) {
	fields := strings.Fields(filter)
	if len(fields) != 3 || !strings.EqualFold(fields[0], "lastDeliveredDateTime") {
		return "", time.Time{}, false
	}
	operator = strings.ToLower(fields[1])
	switch operator {
	case "eq", "ne", "le", "ge":
	default:
		return "", time.Time{}, false
	}
	bound, err := time.Parse(time.RFC3339Nano, fields[2])
	if err != nil {
		return "", time.Time{}, false
	}
	return operator, bound.UTC(), true
}

func errUnsupportedFilter() *apiError {
	return newAPIError(http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
}

func (s *Server) getConversation(c *call) *apiError {
	sel, err := resolveSelect(conversationEntity, c.query)
	if err != nil {
		return err
	}
	var snap Conversation
	if err := s.lockStore(func(st *store) *apiError {
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		conv, err := g.visibleConversation(c.route.conversationID, c.now)
		if err != nil {
			return err
		}
		snap = g.conversationSnapshot(conv)
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(c.groupContext() + "/" + contextSegment("conversations", sel) + "/$entity")}}
	c.writeJSON(http.StatusOK, append(out, project(conversationEntity, conversationJSON(snap), sel)...))
	return nil
}

// deleteConversation removes the conversation with its threads and posts;
// a second delete finds nothing and answers 404 (inferred; see EMULATOR.md).
func (s *Server) deleteConversation(c *call) *apiError {
	if err := s.lockStore(func(st *store) *apiError {
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		conv, err := g.visibleConversation(c.route.conversationID, c.now)
		if err != nil {
			return err
		}
		g.deleteConversation(conv)
		return nil
	}); err != nil {
		return err
	}
	c.writeEmpty(http.StatusNoContent)
	return nil
}

// newConversationRequest is a validated create-conversation body.
type newConversationRequest struct {
	topic        string
	toRecipients []Recipient
	ccRecipients []Recipient
	first        newPostInput
}

// parseNewConversation validates a create body: exactly one thread holding
// exactly one post with a body, and a topic. The docs do not mark topic as
// required, but every example sets it and a conversation without a subject
// is useless, so the emulator requires it (inferred); more than one
// thread or post is rejected rather than silently dropped.
func parseNewConversation(in conversationIn) (newConversationRequest, *apiError) {
	if len(in.Threads) != 1 || in.Threads[0] == nil || len(in.Threads[0].Posts) != 1 || in.Threads[0].Posts[0] == nil {
		return newConversationRequest{}, errInvalidRequest("A new conversation must contain exactly one thread (threads[0]) with exactly one post (threads[0].posts[0]).")
	}
	if in.Topic == nil || strings.TrimSpace(*in.Topic) == "" {
		return newConversationRequest{}, errInvalidRequest("The conversation topic is required.")
	}
	thread := in.Threads[0]
	first, err := toPostInput(thread.Posts[0])
	if err != nil {
		return newConversationRequest{}, err
	}
	to, err := toRecipients(thread.ToRecipients)
	if err != nil {
		return newConversationRequest{}, err
	}
	cc, err := toRecipients(thread.CcRecipients)
	if err != nil {
		return newConversationRequest{}, err
	}
	return newConversationRequest{topic: *in.Topic, toRecipients: to, ccRecipients: cc, first: first}, nil
}

// createConversation answers 201 with ids only: no topic, no post id and no
// computed fields, as the real service does (Graph's docs:
// group-post-conversations; microsoft-graph-docs#93).
func (s *Server) createConversation(c *call) *apiError {
	if err := s.checkMailbox(c); err != nil {
		return err
	}
	if err := c.requireDelegated(); err != nil {
		return err
	}
	var in conversationIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	req, err := parseNewConversation(in)
	if err != nil {
		return err
	}
	if err := s.refuseStamps(req.first.stamps); err != nil {
		return err
	}
	conversationID, threadID, err := s.storeNewConversation(c, req)
	if err != nil {
		return err
	}
	c.writeJSON(http.StatusCreated, object{
		{"@odata.context", c.metadata(c.groupContext() + "/conversations/$entity")},
		{"id", conversationID},
		{"threads@odata.context", c.metadata(c.groupContext() + "/conversations('" + contextID(conversationID) + "')/threads")},
		{"threads", []object{{{"id", threadID}}}},
	})
	return nil
}

// storeNewConversation stores a conversation created through Graph. It stays
// invisible to Graph reads for the InvisibleFor window in force right now.
func (s *Server) storeNewConversation(c *call, req newConversationRequest) (conversationID, threadID string, err *apiError) {
	visibleAt := c.now.Add(time.Duration(s.invisibleFor.Load()))
	err = s.lockStore(func(st *store) *apiError {
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		if err := st.checkTopic(req.topic); err != nil {
			return err
		}
		conv, thread := st.createConversation(g, req.topic, req.toRecipients, req.ccRecipients, req.first, c.principal, c.now, visibleAt)
		conversationID, threadID = conv.id, thread.id
		return nil
	})
	return conversationID, threadID, err
}

// checkMailbox validates the group before a write reads its body, so an
// unknown group or one without a mailbox is reported before body errors.
func (s *Server) checkMailbox(c *call) *apiError {
	return s.lockStore(func(st *store) *apiError {
		_, err := st.mailbox(c.route.groupID)
		return err
	})
}
