package emulator

import (
	"net/http"
)

// maxPostsListed mimics the reported behaviour of thread post lists: they stop
// at 100 items with no @odata.nextLink, whatever $top asks for (spec §3.3).
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

// listPosts lists a thread's posts oldest first. $filter is not supported
// on posts.
func (s *Server) listPosts(c *call) *apiError {
	sel, err := resolveSelect(postEntity, c.query)
	if err != nil {
		return err
	}
	if c.query.hasFilter {
		return errUnsupportedFilter()
	}
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
		for _, id := range t.postIDs {
			p := g.posts[id]
			items = append(items, expansion.expand(p, project(postEntity, postJSON(postSnapshot(p)), sel)))
		}
		return nil
	}); err != nil {
		return err
	}
	c.writeCollection(c.metadata(c.postsSet(sel)), items, maxPostsListed)
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
		item = expansion.expand(p, project(postEntity, postJSON(postSnapshot(p)), sel))
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(c.postsSet(sel) + "/$entity")}}
	c.writeJSON(http.StatusOK, append(out, item...))
	return nil
}

// replyToPost adds a post to the thread of the post replied to. The brief
// treats it like a thread reply, app-only tokens included, although the docs
// list Group.ReadWrite.All for application tokens here (spec §2, unverified).
func (s *Server) replyToPost(c *call) *apiError {
	return s.reply(c)
}

// forwardPost validates the request and the post and answers 200 with no
// body. Mail is not sent anywhere, so nothing changes in the store. The docs
// allow application tokens to forward (spec §2).
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
