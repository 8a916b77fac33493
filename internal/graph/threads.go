package graph

import (
	"context"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// NewThread is what POST /groups/{id}/conversations/{id}/threads needs: the
// topic and the thread's first post, with the thread's recipients.
type NewThread struct {
	Topic        string
	Body         ItemBody
	ToRecipients []Recipient
	CcRecipients []Recipient
}

// Thread is a conversation thread's readable properties, recipients
// included.
type Thread struct {
	ID                    string
	Topic                 string
	IsLocked              bool
	ToRecipients          []Recipient
	CcRecipients          []Recipient
	HasAttachments        bool
	LastDeliveredDateTime time.Time
	Preview               string
	UniqueSenders         []string
}

// threadSelect names exactly what Thread holds. Graph returns toRecipients
// and ccRecipients only when $select names them (Graph's docs:
// resources/conversationthread).
var threadSelect = []string{"id", "topic", "isLocked", "toRecipients", "ccRecipients",
	"hasAttachments", "lastDeliveredDateTime", "preview", "uniqueSenders"}

// CreateThread adds a thread with one post to an existing conversation and
// returns the thread's id, the only thing Graph answers with. Like
// CreateConversation it creates exactly once whatever Graph answers: the
// first post carries an idempotency key, and after an answer that proves
// nothing the conversation is searched for the thread carrying it.
func (c *Client) CreateThread(ctx context.Context, groupID, conversationID string, in NewThread) (string, error) {
	const op = "create thread"
	if _, err := bodyType(in.Body.ContentType); err != nil {
		return "", &Error{Operation: op, Err: err}
	}
	return createExactlyOnce(ctx, c, op,
		func(ctx context.Context, key string) (string, string, error) {
			thread, err := newThreadModel(in, key)
			if err != nil {
				return "", "", err
			}
			created, err := c.threads(groupID, conversationID).Post(ctx, thread, nil)
			if err != nil || created == nil {
				return "", "", err
			}
			id := deref(created.GetId())
			return id, id, nil
		},
		func(ctx context.Context, key string, sentAt time.Time) (string, bool, error) {
			return c.findCreatedThread(ctx, groupID, conversationID, in, key, sentAt)
		})
}

// newThreadModel is the body of a thread create, its post stamped with key
// (none when key is empty).
func newThreadModel(in NewThread, key string) (models.ConversationThreadable, error) {
	post, err := newPost(in.Body)
	if err != nil {
		return nil, err
	}
	stampPost(post, key)
	thread := models.NewConversationThread()
	thread.SetTopic(&in.Topic)
	thread.SetPosts([]models.Postable{post})
	if len(in.ToRecipients) > 0 {
		thread.SetToRecipients(toRecipientables(in.ToRecipients))
	}
	if len(in.CcRecipients) > 0 {
		thread.SetCcRecipients(toRecipientables(in.CcRecipients))
	}
	return thread, nil
}

// listThreads lists a conversation's threads with the properties in sel,
// following every page.
func (c *Client) listThreads(ctx context.Context, groupID, conversationID string, sel []string) ([]Thread, error) {
	const op = "list conversation threads"
	ctx, attempts := withAttemptCounter(ctx)
	first, err := c.threads(groupID, conversationID).ToGetRequestInformation(ctx, &groups.ItemConversationsItemThreadsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsItemThreadsRequestBuilderGetQueryParameters{Select: sel},
	})
	if err != nil {
		return nil, newError(op, int(attempts.Load()), err)
	}
	return listAll(ctx, c, op, attempts, first, models.CreateConversationThreadCollectionResponseFromDiscriminatorValue, fromThread)
}

// GetThread reads one thread of a conversation, recipients included.
func (c *Client) GetThread(ctx context.Context, groupID, conversationID, threadID string) (Thread, error) {
	const op = "read thread"
	ctx, attempts := withAttemptCounter(ctx)
	ctx, answer := withAnswerRecord(ctx)
	got, err := c.threads(groupID, conversationID).ByConversationThreadId(threadID).Get(ctx,
		&groups.ItemConversationsItemThreadsConversationThreadItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsItemThreadsConversationThreadItemRequestBuilderGetQueryParameters{Select: threadSelect},
		})
	if err != nil {
		return Thread{}, newAnswerError(op, int(attempts.Load()), err, answer)
	}
	if err := checkReadBack(op, "thread", threadID, got, answer, attempts, false); err != nil {
		return Thread{}, err
	}
	return fromThread(got), nil
}

// WaitForThread reads a thread that was just created, waiting out the 404s
// Exchange can answer for a while after a create.
func (c *Client) WaitForThread(ctx context.Context, groupID, conversationID, threadID string) (Thread, error) {
	return waitUntilReadable(ctx, c, "thread", func(ctx context.Context) (Thread, error) {
		return c.GetThread(ctx, groupID, conversationID, threadID)
	})
}

// SetThreadLocked locks or unlocks a thread: isLocked is the one property of
// a thread Graph can change. A locked thread takes no new posts. Graph's
// answer to the PATCH carries nothing to rely on; read the thread again to
// see the result.
func (c *Client) SetThreadLocked(ctx context.Context, groupID, conversationID, threadID string, locked bool) error {
	patch := models.NewConversationThread()
	patch.SetIsLocked(&locked)
	// Setting isLocked twice has the effect of setting it once, so a PATCH
	// whose answer is lost is sent again like a read.
	ctx, attempts := withAttemptCounter(withRetrySafe(ctx))
	_, err := c.threads(groupID, conversationID).ByConversationThreadId(threadID).Patch(ctx, patch, nil)
	return newError("update thread", int(attempts.Load()), err)
}

// DeleteThread deletes a thread with its posts. Graph deletes a conversation
// whose last thread is deleted.
func (c *Client) DeleteThread(ctx context.Context, groupID, conversationID, threadID string) error {
	ctx, attempts := withAttemptCounter(ctx)
	err := c.threads(groupID, conversationID).ByConversationThreadId(threadID).Delete(ctx, nil)
	return newError("delete thread", int(attempts.Load()), err)
}

func (c *Client) threads(groupID, conversationID string) *groups.ItemConversationsItemThreadsRequestBuilder {
	return c.groups.ByGroupId(groupID).Conversations().ByConversationId(conversationID).Threads()
}

// newPost is a post with a body and nothing else, as a new thread's first
// post.
func newPost(in ItemBody) (models.Postable, error) {
	contentType, err := bodyType(in.ContentType)
	if err != nil {
		return nil, err
	}
	body := models.NewItemBody()
	body.SetContentType(&contentType)
	body.SetContent(&in.Content)
	post := models.NewPost()
	post.SetBody(body)
	return post, nil
}

func fromThread(t models.ConversationThreadable) Thread {
	out := Thread{
		ID:            deref(t.GetId()),
		Topic:         deref(t.GetTopic()),
		ToRecipients:  fromRecipients(t.GetToRecipients()),
		CcRecipients:  fromRecipients(t.GetCcRecipients()),
		Preview:       deref(t.GetPreview()),
		UniqueSenders: t.GetUniqueSenders(),
	}
	if v := t.GetIsLocked(); v != nil {
		out.IsLocked = *v
	}
	if v := t.GetHasAttachments(); v != nil {
		out.HasAttachments = *v
	}
	if v := t.GetLastDeliveredDateTime(); v != nil {
		out.LastDeliveredDateTime = v.UTC()
	}
	return out
}
