package emulator

import (
	"net/http"
)

// maxPostsListed mimics the reported behaviour of thread post lists: they stop
// at 100 items with no @odata.nextLink, whatever $top asks for
// (microsoft-graph-docs#11219).
const maxPostsListed = 100

func postJSON(p Post) object {
	return object{
		{"@odata.etag", `W/"` + p.ChangeKey + `"`},
		{"id", p.ID},
		{"createdDateTime", formatTime(p.CreatedDateTime)},
		{"lastModifiedDateTime", formatTime(p.LastModifiedDateTime)},
		{"changeKey", p.ChangeKey},
		{"categories", []string{}},
		{"receivedDateTime", formatTime(p.ReceivedDateTime)},
		{"hasAttachments", p.HasAttachments},
		{"body", object{{"contentType", p.Body.ContentType}, {"content", p.Body.Content}}},
		{"from", recipientJSON(p.From)},
		{"sender", recipientJSON(p.Sender)},
		{"newParticipants", recipientsJSON(p.NewParticipants)},
		{"conversationId", p.ConversationID},
		{"conversationThreadId", p.ThreadID},
	}
}

// postsSet is the @odata.context path of the thread's post collection, with
// the $select list attached as Graph writes it.
func (c *call) postsSet(sel *selection) string {
	return c.threadsContext() + "('" + contextID(c.route.threadID) + "')/" + contextSegment("posts", sel)
}

// listPosts lists a thread's posts, oldest first unless Behaviour.PostsOrder
// says newest first, and stops at maxPostsListed. Graph documents no order,
// and $orderby on posts is silently ignored (microsoft-graph-docs#3496).
// $filter is not supported on posts.
func (s *Server) listPosts(c *call) *apiError {
	sel, err := resolveSelect(postEntity, c.query)
	if err != nil {
		return err
	}
	if c.query.hasFilter {
		return errUnsupportedFilter()
	}
	var page listPage
	expansion, err := parsePostExpand(c.query)
	if err != nil {
		return err
	}
	var items []object
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		ids := orderedPostIDs(t, st.behaviour.PostsOrder)
		ids = ids[:min(len(ids), maxPostsListed)]
		page = c.pageOf(len(ids), st.behaviour.pagingRules())
		for _, id := range ids[page.start:page.end] {
			p := g.posts[id]
			items = append(items, expansion.expand(g, p, project(postEntity, postJSON(postSnapshot(p)), sel)))
		}
		return nil
	}); err != nil {
		return err
	}
	c.writePage(c.metadata(c.postsSet(sel)), page, items)
	return nil
}

func (s *Server) getPost(c *call) *apiError {
	sel, err := resolveSelect(postEntity, c.query)
	if err != nil {
		return err
	}
	expansion, err := parsePostExpand(c.query)
	if err != nil {
		return err
	}
	var item object
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		p, err := g.postInThread(t, c.route.postID)
		if err != nil {
			return err
		}
		item = expansion.expand(g, p, project(postEntity, postJSON(postSnapshot(p)), sel))
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(c.postsSet(sel) + "/$entity")}}
	c.writeJSON(http.StatusOK, append(out, item...))
	return nil
}

// replyToPost adds a post to the thread of the post replied to. The emulator
// treats it like a thread reply, application tokens refused included,
// although post-reply lists Group.ReadWrite.All for application tokens
// (inferred; see EMULATOR.md).
func (s *Server) replyToPost(c *call) *apiError {
	return s.reply(c)
}

// forwardPost validates the request and the post and answers 200 with no
// body. Mail is not sent anywhere, so nothing changes in the store. The docs
// allow application tokens to forward (post-forward).
func (s *Server) forwardPost(c *call) *apiError {
	if err := s.checkMailbox(c); err != nil {
		return err
	}
	var in forwardIn
	if err := c.decodeJSONBody(&in); err != nil {
		return err
	}
	if len(in.ToRecipients) == 0 {
		return errInvalidRequest("At least one recipient is required in toRecipients.")
	}
	if _, err := toRecipients(in.ToRecipients); err != nil {
		return err
	}
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		_, err = g.postInThread(t, c.route.postID)
		return err
	}); err != nil {
		return err
	}
	c.writeEmpty(http.StatusOK)
	return nil
}
