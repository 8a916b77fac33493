package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// This file holds the Graph calls the probes make, each a thin wrapper over
// msgraph-sdk-go that returns plain values.

// graphError is a refused request as the probes report it.
type graphError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	// Err is set when no answer came (a transport error or a cancelled
	// context).
	Err error
}

func (e *graphError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("no answer: %v", e.Err)
	}
	s := fmt.Sprintf("%d %s", e.Status, e.Code)
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request-id " + e.RequestID + ")"
	}
	return s
}

func (e *graphError) Unwrap() error { return e.Err }

// short is status and code, the part of an answer the probes compare.
func (e *graphError) short() string {
	if e.Status == 0 {
		return "no answer"
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s", e.Status, e.Code))
}

// asGraphError converts what msgraph-sdk-go returned. It never calls
// ODataError.Error(), which dereferences a missing message (a panic on an
// error body without "error.message").
func asGraphError(err error) *graphError {
	if err == nil {
		return nil
	}
	var ge *graphError
	if errors.As(err, &ge) {
		return ge
	}
	out := &graphError{}
	var oe *odataerrors.ODataError
	var ae *abs.ApiError
	switch {
	case errors.As(err, &oe):
		out.Status = oe.ResponseStatusCode
		if main := oe.GetErrorEscaped(); main != nil {
			out.Code, out.Message = deref(main.GetCode()), deref(main.GetMessage())
			if inner := main.GetInnerError(); inner != nil {
				out.RequestID = deref(inner.GetRequestId())
			}
		}
		if h := oe.GetResponseHeaders(); h != nil && out.RequestID == "" {
			if v := h.Get("request-id"); len(v) > 0 {
				out.RequestID = v[0]
			}
		}
	case errors.As(err, &ae):
		out.Status = ae.ResponseStatusCode
		out.Message = ae.Message
	default:
		out.Err = err
	}
	if out.Status == 0 && out.Err == nil {
		out.Err = err
	}
	return out
}

func statusOf(err error) int {
	if ge := asGraphError(err); ge != nil {
		return ge.Status
	}
	return 0
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// recipient is a name and an address.
type recipient struct{ Name, Address string }

func (r recipient) String() string { return fmt.Sprintf("%s (%s)", r.Name, r.Address) }

// body is a post body.
type body struct{ ContentType, Content string }

func newItemBody(b body) models.ItemBodyable {
	out := models.NewItemBody()
	contentType := models.TEXT_BODYTYPE
	if b.ContentType == "html" {
		contentType = models.HTML_BODYTYPE
	}
	out.SetContentType(&contentType)
	out.SetContent(&b.Content)
	return out
}

func fromItemBody(b models.ItemBodyable) body {
	if b == nil {
		return body{}
	}
	out := body{Content: deref(b.GetContent())}
	if ct := b.GetContentType(); ct != nil {
		out.ContentType = ct.String()
	}
	return out
}

func newRecipients(list []recipient) []models.Recipientable {
	out := make([]models.Recipientable, 0, len(list))
	for _, r := range list {
		address := models.NewEmailAddress()
		address.SetName(new(r.Name))
		address.SetAddress(new(r.Address))
		m := models.NewRecipient()
		m.SetEmailAddress(address)
		out = append(out, m)
	}
	return out
}

func fromRecipients(list []models.Recipientable) []recipient {
	out := make([]recipient, 0, len(list))
	for _, r := range list {
		if r == nil || r.GetEmailAddress() == nil {
			out = append(out, recipient{})
			continue
		}
		out = append(out, recipient{Name: deref(r.GetEmailAddress().GetName()), Address: deref(r.GetEmailAddress().GetAddress())})
	}
	return out
}

func newPost(b body, participants []recipient) models.Postable {
	p := models.NewPost()
	p.SetBody(newItemBody(b))
	if len(participants) > 0 {
		p.SetNewParticipants(newRecipients(participants))
	}
	return p
}

func (c *client) conversations(groupID string) *groups.ItemConversationsRequestBuilder {
	return c.groups.ByGroupId(groupID).Conversations()
}

func (c *client) thread(groupID, conversationID, threadID string) *groups.ItemConversationsItemThreadsConversationThreadItemRequestBuilder {
	return c.conversations(groupID).ByConversationId(conversationID).Threads().ByConversationThreadId(threadID)
}

// createConversation posts a conversation with one thread and one post and
// returns the ids of both.
func (c *client) createConversation(ctx context.Context, groupID, topic string, first body, participants []recipient) (conversationID, threadID string, err error) {
	thread := models.NewConversationThread()
	thread.SetPosts([]models.Postable{newPost(first, participants)})
	conv := models.NewConversation()
	conv.SetTopic(&topic)
	conv.SetThreads([]models.ConversationThreadable{thread})
	created, err := c.conversations(groupID).Post(ctx, conv, nil)
	if err != nil {
		return "", "", asGraphError(err)
	}
	if created == nil || deref(created.GetId()) == "" {
		return "", "", errors.New("the create answered without a conversation id")
	}
	conversationID = deref(created.GetId())
	if threads := created.GetThreads(); len(threads) > 0 && threads[0] != nil {
		threadID = deref(threads[0].GetId())
	}
	return conversationID, threadID, nil
}

// conversationDelivered reads when a conversation was last delivered to.
func (c *client) conversationDelivered(ctx context.Context, groupID, conversationID string) (time.Time, error) {
	got, err := c.conversations(groupID).ByConversationId(conversationID).Get(ctx,
		&groups.ItemConversationsConversationItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsConversationItemRequestBuilderGetQueryParameters{Select: []string{"id", "lastDeliveredDateTime"}},
		})
	if err != nil {
		return time.Time{}, asGraphError(err)
	}
	if got.GetLastDeliveredDateTime() == nil {
		return time.Time{}, fmt.Errorf("conversation %s came back without lastDeliveredDateTime", conversationID)
	}
	return got.GetLastDeliveredDateTime().UTC(), nil
}

// conversationTopic reads a conversation's topic.
func (c *client) conversationTopic(ctx context.Context, groupID, conversationID string) (string, error) {
	got, err := c.conversations(groupID).ByConversationId(conversationID).Get(ctx,
		&groups.ItemConversationsConversationItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsConversationItemRequestBuilderGetQueryParameters{Select: []string{"id", "topic"}},
		})
	if err != nil {
		return "", asGraphError(err)
	}
	return deref(got.GetTopic()), nil
}

func (c *client) deleteConversation(ctx context.Context, groupID, conversationID string) error {
	return asGraphErrorOrNil(c.conversations(groupID).ByConversationId(conversationID).Delete(ctx, nil))
}

func asGraphErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return asGraphError(err)
}

// listedConversation is one item of a conversation list. LastDelivered is
// zero unless the request selected it.
type listedConversation struct {
	ID, Topic     string
	LastDelivered time.Time
}

// conversationPage is one page of a conversation list.
type conversationPage struct {
	items []listedConversation
	next  string
	// preferenceApplied is the answer's Preference-Applied header.
	preferenceApplied string
}

// pageRequest is how a list's first page is asked for.
type pageRequest struct {
	top           int32 // 0: no $top
	maxPageSize   int   // 0: no Prefer header
	selectTopicID bool
	// filter is the $filter; "" for none. A filtered request selects id,
	// topic and lastDeliveredDateTime.
	filter string
}

// conversationsPage fetches the first page of a group's conversation list,
// or the page a nextLink names.
func (c *client) conversationsPage(ctx context.Context, groupID string, req pageRequest, nextLink string) (conversationPage, error) {
	ctx, capture := withCapture(ctx)
	config := &groups.ItemConversationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsRequestBuilderGetQueryParameters{},
	}
	if req.top > 0 {
		config.QueryParameters.Top = &req.top
	}
	if req.selectTopicID {
		config.QueryParameters.Select = []string{"id", "topic"}
	}
	if req.filter != "" {
		config.QueryParameters.Filter = &req.filter
		config.QueryParameters.Select = []string{"id", "topic", "lastDeliveredDateTime"}
	}
	if req.maxPageSize > 0 {
		config.Headers = abs.NewRequestHeaders()
		config.Headers.Add("Prefer", fmt.Sprintf("odata.maxpagesize=%d", req.maxPageSize))
	}
	builder := c.conversations(groupID)
	if nextLink != "" {
		// A nextLink is followed verbatim, as Graph asks; the Prefer header
		// is repeated, since a preference applies per request.
		builder = builder.WithUrl(nextLink)
		config.QueryParameters = nil
	}
	got, err := builder.Get(ctx, config)
	if err != nil {
		return conversationPage{}, asGraphError(err)
	}
	page := conversationPage{next: deref(got.GetOdataNextLink()), preferenceApplied: capture.headerValue("Preference-Applied")}
	for _, conv := range got.GetValue() {
		if conv != nil {
			item := listedConversation{ID: deref(conv.GetId()), Topic: deref(conv.GetTopic())}
			if delivered := conv.GetLastDeliveredDateTime(); delivered != nil {
				item.LastDelivered = delivered.UTC()
			}
			page.items = append(page.items, item)
		}
	}
	return page, nil
}

// listedPost is one post of a post list.
type listedPost struct {
	ID              string
	Body            body
	From            recipient
	NewParticipants []recipient
}

// postsPage fetches the first page of a thread's post list, or the page a
// nextLink names.
func (c *client) postsPage(ctx context.Context, groupID, conversationID, threadID, nextLink string) ([]listedPost, string, error) {
	builder := c.thread(groupID, conversationID, threadID).Posts()
	config := &groups.ItemConversationsItemThreadsItemPostsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsItemThreadsItemPostsRequestBuilderGetQueryParameters{
			Select: []string{"id", "body", "from", "newParticipants"},
		},
	}
	if nextLink != "" {
		builder = builder.WithUrl(nextLink)
		config = nil
	}
	got, err := builder.Get(ctx, config)
	if err != nil {
		return nil, "", asGraphError(err)
	}
	var out []listedPost
	for _, p := range got.GetValue() {
		if p == nil {
			continue
		}
		lp := listedPost{ID: deref(p.GetId()), Body: fromItemBody(p.GetBody()), NewParticipants: fromRecipients(p.GetNewParticipants())}
		if from := fromRecipients([]models.Recipientable{p.GetFrom()}); len(from) == 1 {
			lp.From = from[0]
		}
		out = append(out, lp)
	}
	return out, deref(got.GetOdataNextLink()), nil
}

// threadState is what the probes read of a thread.
type threadState struct {
	IsLocked bool
	To, Cc   []recipient
}

func (c *client) getThread(ctx context.Context, groupID, conversationID, threadID string) (threadState, error) {
	got, err := c.thread(groupID, conversationID, threadID).Get(ctx,
		&groups.ItemConversationsItemThreadsConversationThreadItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsItemThreadsConversationThreadItemRequestBuilderGetQueryParameters{
				Select: []string{"id", "isLocked", "toRecipients", "ccRecipients"},
			},
		})
	if err != nil {
		return threadState{}, asGraphError(err)
	}
	out := threadState{To: fromRecipients(got.GetToRecipients()), Cc: fromRecipients(got.GetCcRecipients())}
	if got.GetIsLocked() != nil {
		out.IsLocked = *got.GetIsLocked()
	}
	return out, nil
}

// createThread adds a thread to a conversation.
func (c *client) createThread(ctx context.Context, groupID, conversationID, topic string, first body, to, cc []recipient) (string, error) {
	thread := models.NewConversationThread()
	thread.SetTopic(&topic)
	thread.SetPosts([]models.Postable{newPost(first, nil)})
	if len(to) > 0 {
		thread.SetToRecipients(newRecipients(to))
	}
	if len(cc) > 0 {
		thread.SetCcRecipients(newRecipients(cc))
	}
	created, err := c.conversations(groupID).ByConversationId(conversationID).Threads().Post(ctx, thread, nil)
	if err != nil {
		return "", asGraphError(err)
	}
	if created == nil || deref(created.GetId()) == "" {
		return "", errors.New("the create answered without a thread id")
	}
	return deref(created.GetId()), nil
}

func (c *client) reply(ctx context.Context, groupID, conversationID, threadID string, b body, participants []recipient) error {
	rb := groups.NewItemConversationsItemThreadsItemReplyPostRequestBody()
	rb.SetPost(newPost(b, participants))
	return asGraphErrorOrNil(c.thread(groupID, conversationID, threadID).Reply().Post(ctx, rb, nil))
}

func (c *client) lockThread(ctx context.Context, groupID, conversationID, threadID string) error {
	patch := models.NewConversationThread()
	patch.SetIsLocked(new(true))
	_, err := c.thread(groupID, conversationID, threadID).Patch(ctx, patch, nil)
	return asGraphErrorOrNil(err)
}

func (c *client) deleteThread(ctx context.Context, groupID, conversationID, threadID string) error {
	return asGraphErrorOrNil(c.thread(groupID, conversationID, threadID).Delete(ctx, nil))
}

// groupInfo is what the probes read of a group.
type groupInfo struct {
	ID, DisplayName, Mail string
	Unified               bool
}

func (c *client) getGroup(ctx context.Context, groupID string) (groupInfo, error) {
	got, err := c.groups.ByGroupId(groupID).Get(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName", "mail", "groupTypes"}},
	})
	if err != nil {
		return groupInfo{}, asGraphError(err)
	}
	out := groupInfo{ID: deref(got.GetId()), DisplayName: deref(got.GetDisplayName()), Mail: deref(got.GetMail())}
	for _, t := range got.GetGroupTypes() {
		if strings.EqualFold(t, "Unified") {
			out.Unified = true
		}
	}
	return out, nil
}

// createGroup creates a private Microsoft 365 group (unified) or a security
// group.
func (c *client) createGroup(ctx context.Context, displayName, mailNickname, description string, unified bool) (string, error) {
	g := models.NewGroup()
	g.SetDisplayName(&displayName)
	g.SetMailNickname(&mailNickname)
	g.SetDescription(&description)
	g.SetMailEnabled(new(unified))
	g.SetSecurityEnabled(new(!unified))
	if unified {
		g.SetGroupTypes([]string{"Unified"})
		g.SetVisibility(new("Private"))
	} else {
		g.SetGroupTypes([]string{})
	}
	created, err := c.groups.Post(ctx, g, nil)
	if err != nil {
		return "", asGraphError(err)
	}
	if created == nil || deref(created.GetId()) == "" {
		return "", errors.New("the create answered without a group id")
	}
	return deref(created.GetId()), nil
}

func (c *client) deleteGroup(ctx context.Context, groupID string) error {
	return asGraphErrorOrNil(c.groups.ByGroupId(groupID).Delete(ctx, nil))
}

// isNotFound reports a 404 of any code: a deleted object and one not yet
// visible both answer 404.
func isNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }
