package emulator

import (
	"net/http"
	"strings"
	"time"
)

func threadJSON(t Thread) object {
	return object{
		{"id", t.ID},
		{"topic", t.Topic},
		{"hasAttachments", t.HasAttachments},
		{"lastDeliveredDateTime", formatTime(t.LastDeliveredDateTime)},
		{"uniqueSenders", stringsJSON(t.UniqueSenders)},
		{"preview", t.Preview},
		{"isLocked", t.IsLocked},
		{"toRecipients", recipientsJSON(t.ToRecipients)},
		{"ccRecipients", recipientsJSON(t.CcRecipients)},
	}
}

// threadsContext is the @odata.context path of the thread collection the
// request went through: under the conversation or directly under the group.
func (c *call) threadsContext() string {
	if c.route.conversationID != "" {
		return c.groupContext() + "/conversations('" + contextID(c.route.conversationID) + "')/threads"
	}
	return c.groupContext() + "/threads"
}

// threadsSet is threadsContext with a $select list attached to the last
// segment, as Graph writes it.
func (c *call) threadsSet(sel *selection) string {
	base := strings.TrimSuffix(c.threadsContext(), "threads")
	return base + contextSegment("threads", sel)
}

// lookupThread resolves the thread named by the path, with or without the
// conversation segment. The caller must hold the store lock.
func (c *call) lookupThread(st *store) (*groupState, *threadState, *apiError) {
	g, err := st.mailbox(c.route.groupID)
	if err != nil {
		return nil, nil, err
	}
	t, err := g.visibleThread(c.route.conversationID, c.route.threadID, c.now)
	if err != nil {
		return nil, nil, err
	}
	return g, t, nil
}

// listThreads lists the threads of one conversation, or of the whole group
// mailbox, in the order Behaviour.ListOrder picks (creation order by
// default). $filter is not supported on threads.
func (s *Server) listThreads(c *call) *apiError {
	sel, err := resolveSelect(threadEntity, c.query)
	if err != nil {
		return err
	}
	if c.query.hasFilter {
		return errUnsupportedFilter()
	}
	var page listPage
	var items []object
	if err := s.lockStore(func(st *store) *apiError {
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		var threads []*threadState
		if c.route.conversationID != "" {
			conv, err := g.visibleConversation(c.route.conversationID, c.now)
			if err != nil {
				return err
			}
			for _, id := range conv.threadIDs {
				if t := g.threads[id]; !c.now.Before(t.visibleAt) {
					threads = append(threads, t)
				}
			}
		} else {
			threads = g.visibleThreads(c.now)
		}
		g.orderThreads(threads, st.behaviour.ListOrder)
		page = c.pageOf(len(threads), st.behaviour.pagingRules())
		for _, t := range threads[page.start:page.end] {
			items = append(items, project(threadEntity, threadJSON(g.threadSnapshot(t)), sel))
		}
		return nil
	}); err != nil {
		return err
	}
	c.writePage(c.metadata(c.threadsSet(sel)), page, items)
	return nil
}

func (s *Server) getThread(c *call) *apiError {
	sel, err := resolveSelect(threadEntity, c.query)
	if err != nil {
		return err
	}
	var snap Thread
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		snap = g.threadSnapshot(t)
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(c.threadsSet(sel) + "/$entity")}}
	c.writeJSON(http.StatusOK, append(out, project(threadEntity, threadJSON(snap), sel)...))
	return nil
}

// createThread adds a thread to an existing conversation, or, posted to
// /groups/{id}/threads, starts a new conversation with it
// (group-post-threads). Either way the answer is 201 with the new thread's id
// only; the docs' fuller sample is a placeholder stub, and the real-looking
// sample returns just the id (conversation-post-threads).
func (s *Server) createThread(c *call) *apiError {
	if err := s.checkMailbox(c); err != nil {
		return err
	}
	if err := c.requireDelegated(); err != nil {
		return err
	}
	var in threadIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	if c.route.conversationID == "" {
		// A thread posted to the group is a new conversation; reuse its
		// validation by wrapping the thread.
		req, err := parseNewConversation(conversationIn{Topic: in.Topic, Threads: []*threadIn{&in}})
		if err != nil {
			return err
		}
		if err := s.refuseStamps(req.first.stamps); err != nil {
			return err
		}
		_, threadID, err := s.storeNewConversation(c, req)
		if err != nil {
			return err
		}
		c.writeJSON(http.StatusCreated, object{{"@odata.context", c.metadata(c.threadsContext() + "/$entity")}, {"id", threadID}})
		return nil
	}
	if len(in.Posts) != 1 || in.Posts[0] == nil {
		return errInvalidRequest("A new thread must contain exactly one post (posts[0]).")
	}
	first, err := toPostInput(in.Posts[0])
	if err != nil {
		return err
	}
	if err := s.refuseStamps(first.stamps); err != nil {
		return err
	}
	to, err := toRecipients(in.ToRecipients)
	if err != nil {
		return err
	}
	cc, err := toRecipients(in.CcRecipients)
	if err != nil {
		return err
	}
	var threadID string
	if err := s.lockStore(func(st *store) *apiError {
		g, err := st.mailbox(c.route.groupID)
		if err != nil {
			return err
		}
		conv, err := g.visibleConversation(c.route.conversationID, c.now)
		if err != nil {
			return err
		}
		visibleAt := c.now.Add(time.Duration(s.invisibleFor.Load()))
		threadID = st.createThread(g, conv, to, cc, first, c.principal, c.now, visibleAt).id
		return nil
	}); err != nil {
		return err
	}
	c.writeJSON(http.StatusCreated, object{{"@odata.context", c.metadata(c.threadsContext() + "/$entity")}, {"id", threadID}})
	return nil
}

// updateThread honours isLocked only, the one property the docs let clients
// change (conversationthread-update); other members are ignored. The answer
// is 200 with an empty JSON object, as the docs' prose says.
func (s *Server) updateThread(c *call) *apiError {
	var in threadPatchIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	if err := s.lockStore(func(st *store) *apiError {
		_, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		if in.IsLocked != nil {
			t.isLocked = *in.IsLocked
		}
		return nil
	}); err != nil {
		return err
	}
	c.writeJSON(http.StatusOK, object{})
	return nil
}

// deleteThread removes the thread and its posts, and the conversation with
// it when this was its last thread.
func (s *Server) deleteThread(c *call) *apiError {
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		g.deleteThread(t)
		return nil
	}); err != nil {
		return err
	}
	c.writeEmpty(http.StatusNoContent)
	return nil
}

func (s *Server) replyToThread(c *call) *apiError {
	return s.reply(c)
}

// reply adds a post to the thread named in the path; for a post reply the
// post must exist in that thread too. The new post's id is not returned
// (conversationthread-reply).
//
// Replying to a locked thread is refused with 403 ErrorAccessDenied. The real
// error is undocumented (inferred); 403 was chosen because the client is not
// allowed to post there, not because its request is malformed.
func (s *Server) reply(c *call) *apiError {
	if err := s.checkMailbox(c); err != nil {
		return err
	}
	if err := c.requireDelegated(); err != nil {
		return err
	}
	var in replyIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	if in.Post == nil {
		return errInvalidRequest("The request body must contain a post.")
	}
	post, err := toPostInput(in.Post)
	if err != nil {
		return err
	}
	if err := s.refuseStamps(post.stamps); err != nil {
		return err
	}
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		// A reply to a post answers that post; a reply to a thread, its
		// newest post (inferred: Graph's docs say only that inReplyTo is
		// "the earlier post that this post is replying to").
		inReplyTo := newestPostID(t)
		if c.route.postID != "" {
			replied, err := g.postInThread(t, c.route.postID)
			if err != nil {
				return err
			}
			inReplyTo = replied.post.ID
		}
		if t.isLocked {
			return errAccessDenied()
		}
		st.addPost(g, t, post, c.principal, c.now, inReplyTo)
		// A thread gains the recipients that later posts bring in
		// (resources/conversationthread).
		// The recipients of the first post stay on that post only, so a
		// client reading toRecipients back right after create sees exactly
		// what it sent.
		t.toRecipients = addRecipients(t.toRecipients, post.newParticipants)
		return nil
	}); err != nil {
		return err
	}
	c.writeEmpty(http.StatusAccepted)
	return nil
}
