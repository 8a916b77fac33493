package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// ItemBody is a post body. ContentType is "html" or "text".
type ItemBody struct {
	ContentType string
	Content     string
}

// Recipient is an email address with an optional display name.
type Recipient struct {
	Name    string
	Address string
}

// NewConversation is what POST /groups/{id}/conversations needs: a topic and
// the first post of its first thread.
type NewConversation struct {
	Topic           string
	Body            ItemBody
	NewParticipants []Recipient
}

// CreatedConversation holds the only things Graph returns on create.
type CreatedConversation struct {
	ID       string
	ThreadID string
}

// Conversation is a conversation's readable properties.
type Conversation struct {
	ID                    string
	Topic                 string
	HasAttachments        bool
	LastDeliveredDateTime time.Time
	Preview               string
	UniqueSenders         []string
}

// Post is one message of a thread.
type Post struct {
	ID               string
	Body             ItemBody
	From             Recipient
	Sender           Recipient
	NewParticipants  []Recipient
	ReceivedDateTime time.Time
	HasAttachments   bool
	// CreateKey is the idempotency key the post was created with, when it
	// was read with its stamp (listPostsWithStamps); "" otherwise.
	CreateKey string
}

// conversationSelect names exactly what Conversation holds, so Graph sends
// nothing else.
var conversationSelect = []string{"id", "topic", "hasAttachments", "lastDeliveredDateTime", "preview", "uniqueSenders"}

// CreateConversation starts a conversation with one thread holding one post,
// exactly once whatever Graph answers (see createExactlyOnce): the first
// post carries an idempotency key, and after an answer that proves nothing
// the group is searched for the conversation carrying it, which is adopted
// if found; the create is sent again only once new conversations have had
// time to become visible. The loop ends with ctx.
func (c *Client) CreateConversation(ctx context.Context, groupID string, in NewConversation) (CreatedConversation, error) {
	const op = "create conversation"
	if _, err := bodyType(in.Body.ContentType); err != nil {
		return CreatedConversation{}, &Error{Operation: op, Err: err}
	}
	return createExactlyOnce(ctx, c, op,
		func(ctx context.Context, key string) (CreatedConversation, string, error) {
			request, err := newConversationModel(in, key)
			if err != nil {
				return CreatedConversation{}, "", err
			}
			created, err := c.groups.ByGroupId(groupID).Conversations().Post(ctx, request, nil)
			if err != nil || created == nil {
				return CreatedConversation{}, "", err
			}
			out := CreatedConversation{ID: deref(created.GetId())}
			if threads := created.GetThreads(); len(threads) > 0 && threads[0] != nil {
				out.ThreadID = deref(threads[0].GetId())
			}
			if !usableCreatedID(out.ThreadID) {
				// The conversation is what counts; its thread is found later.
				out.ThreadID = ""
			}
			return out, out.ID, nil
		},
		func(ctx context.Context, key string, sentAt time.Time) (CreatedConversation, bool, error) {
			return c.findCreatedConversation(ctx, groupID, in, key, sentAt)
		})
}

// newConversationModel is the body of a create, its first post stamped with
// key (none when key is empty).
func newConversationModel(in NewConversation, key string) (models.Conversationable, error) {
	post, err := newPost(in.Body)
	if err != nil {
		return nil, err
	}
	if len(in.NewParticipants) > 0 {
		post.SetNewParticipants(toRecipientables(in.NewParticipants))
	}
	stampPost(post, key)
	thread := models.NewConversationThread()
	thread.SetPosts([]models.Postable{post})
	conversation := models.NewConversation()
	conversation.SetTopic(&in.Topic)
	conversation.SetThreads([]models.ConversationThreadable{thread})
	return conversation, nil
}

// GetConversation reads one conversation.
func (c *Client) GetConversation(ctx context.Context, groupID, conversationID string) (Conversation, error) {
	ctx, attempts := withAttemptCounter(ctx)
	ctx, answer := withAnswerRecord(ctx)
	got, err := c.groups.ByGroupId(groupID).Conversations().ByConversationId(conversationID).Get(ctx,
		&groups.ItemConversationsConversationItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsConversationItemRequestBuilderGetQueryParameters{Select: conversationSelect},
		})
	if err != nil {
		return Conversation{}, newAnswerError("read conversation", int(attempts.Load()), err, answer)
	}
	if err := checkReadBack("read conversation", "conversation", conversationID, got, answer, attempts, false); err != nil {
		return Conversation{}, err
	}
	return fromConversation(got), nil
}

// WaitForConversation reads a conversation that was just created, waiting
// out the seconds in which Exchange may still answer 404 (see
// waitUntilReadable), until ctx's deadline.
func (c *Client) WaitForConversation(ctx context.Context, groupID, conversationID string) (Conversation, error) {
	return waitUntilReadable(ctx, c, "conversation", func(ctx context.Context) (Conversation, error) {
		return c.GetConversation(ctx, groupID, conversationID)
	})
}

// DeleteConversation deletes a conversation with its threads and posts.
func (c *Client) DeleteConversation(ctx context.Context, groupID, conversationID string) error {
	ctx, attempts := withAttemptCounter(ctx)
	err := c.groups.ByGroupId(groupID).Conversations().ByConversationId(conversationID).Delete(ctx, nil)
	return newError("delete conversation", int(attempts.Load()), err)
}

// FirstPost finds the thread that started a conversation and its first post,
// which hold what a user wrote in the configuration: used on import only, as
// posts cannot change once written.
func (c *Client) FirstPost(ctx context.Context, groupID, conversationID string) (threadID string, first StartingPost, err error) {
	conversation := c.groups.ByGroupId(groupID).Conversations().ByConversationId(conversationID)
	ctx, attempts := withAttemptCounter(ctx)
	firstPage, err := conversation.Threads().ToGetRequestInformation(ctx, &groups.ItemConversationsItemThreadsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsItemThreadsRequestBuilderGetQueryParameters{Select: []string{"id"}},
	})
	if err != nil {
		return "", StartingPost{}, newError("list conversation threads", int(attempts.Load()), err)
	}
	threadIDs, err := listAll(ctx, c, "list conversation threads", attempts, firstPage,
		models.CreateConversationThreadCollectionResponseFromDiscriminatorValue,
		func(t models.ConversationThreadable) string { return deref(t.GetId()) })
	if err != nil {
		return "", StartingPost{}, err
	}

	// Graph promises no order for threads or posts, so the first post is
	// the one received earliest across the conversation's threads.
	found := false
	for _, id := range threadIDs {
		posts, err := c.listPosts(ctx, groupID, conversationID, id)
		if err != nil {
			return "", StartingPost{}, err
		}
		if len(posts) == 0 {
			continue
		}
		p, err := c.startingPost(ctx, groupID, conversationID, id, posts)
		if err != nil {
			return "", StartingPost{}, err
		}
		if !found || p.ReceivedDateTime.Before(first.ReceivedDateTime) {
			threadID, first, found = id, p, true
		}
	}
	if !found {
		return "", StartingPost{}, &Error{Operation: "find first post", StatusCode: 404, Code: "ErrorItemNotFound",
			Message: "the conversation has no posts"}
	}
	return threadID, first, nil
}

func (c *Client) listPosts(ctx context.Context, groupID, conversationID, threadID string) ([]Post, error) {
	return c.listPostsExpanded(ctx, groupID, conversationID, threadID, nil)
}

// listPostsWithStamps lists a thread's posts with the idempotency key each
// was created with (Post.CreateKey).
func (c *Client) listPostsWithStamps(ctx context.Context, groupID, conversationID, threadID string) ([]Post, error) {
	return c.listPostsExpanded(ctx, groupID, conversationID, threadID, []string{stampExpansion()})
}

func (c *Client) listPostsExpanded(ctx context.Context, groupID, conversationID, threadID string, expand []string) ([]Post, error) {
	ctx, attempts := withAttemptCounter(ctx)
	first, err := c.groups.ByGroupId(groupID).Conversations().ByConversationId(conversationID).Threads().
		ByConversationThreadId(threadID).Posts().ToGetRequestInformation(ctx, &groups.ItemConversationsItemThreadsItemPostsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsItemThreadsItemPostsRequestBuilderGetQueryParameters{
			Select: postSelect,
			Expand: expand,
		},
	})
	if err != nil {
		return nil, newError("list thread posts", int(attempts.Load()), err)
	}
	return listAll(ctx, c, "list thread posts", attempts, first, models.CreatePostCollectionResponseFromDiscriminatorValue, fromPost)
}

func bodyType(contentType string) (models.BodyType, error) {
	switch contentType {
	case "", "html":
		return models.HTML_BODYTYPE, nil
	case "text":
		return models.TEXT_BODYTYPE, nil
	}
	return 0, fmt.Errorf("unknown body content type %q (want html or text)", contentType)
}

func toRecipientables(in []Recipient) []models.Recipientable {
	out := make([]models.Recipientable, 0, len(in))
	for _, r := range in {
		address := models.NewEmailAddress()
		address.SetAddress(&r.Address)
		if r.Name != "" {
			address.SetName(&r.Name)
		}
		recipient := models.NewRecipient()
		recipient.SetEmailAddress(address)
		out = append(out, recipient)
	}
	return out
}

func fromConversation(c models.Conversationable) Conversation {
	out := Conversation{
		ID:            deref(c.GetId()),
		Topic:         deref(c.GetTopic()),
		Preview:       deref(c.GetPreview()),
		UniqueSenders: c.GetUniqueSenders(),
	}
	if v := c.GetHasAttachments(); v != nil {
		out.HasAttachments = *v
	}
	if v := c.GetLastDeliveredDateTime(); v != nil {
		out.LastDeliveredDateTime = v.UTC()
	}
	return out
}

func fromPost(p models.Postable) Post {
	out := Post{
		ID:              deref(p.GetId()),
		From:            fromRecipient(p.GetFrom()),
		Sender:          fromRecipient(p.GetSender()),
		NewParticipants: fromRecipients(p.GetNewParticipants()),
		CreateKey:       stampOf(p),
	}
	if b := p.GetBody(); b != nil {
		out.Body.Content = deref(b.GetContent())
		if t := b.GetContentType(); t != nil {
			out.Body.ContentType = t.String()
		}
	}
	if v := p.GetReceivedDateTime(); v != nil {
		out.ReceivedDateTime = v.UTC()
	}
	if v := p.GetHasAttachments(); v != nil {
		out.HasAttachments = *v
	}
	return out
}

func fromRecipient(r models.Recipientable) Recipient {
	if r == nil || r.GetEmailAddress() == nil {
		return Recipient{}
	}
	return Recipient{Name: deref(r.GetEmailAddress().GetName()), Address: deref(r.GetEmailAddress().GetAddress())}
}

func fromRecipients(in []models.Recipientable) []Recipient {
	var out []Recipient
	for _, r := range in {
		if rr := fromRecipient(r); rr.Address != "" {
			out = append(out, rr)
		}
	}
	return out
}
