package graph

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
)

// A thread's post list stops at 100 posts with no nextLink, whatever $top
// asks (microsoft-graph-docs#11219), and which 100 is not documented: the
// oldest (then a long thread's newest posts are missing) or the newest
// (then its first post is). The post that started a thread holds what a
// configuration wrote, so when a list came back full, the first post is
// found by following inReplyTo, which Graph returns with $expand (Graph's
// docs: resources/post), from the earliest post listed back to the one that
// replies to none.

// MaxListedPosts is how many posts Graph lists of a thread at most.
const MaxListedPosts = 100

// postSelect names what Post holds.
var postSelect = []string{"id", "body", "from", "sender", "newParticipants", "receivedDateTime", "hasAttachments"}

// PostList is a thread's posts as Graph listed them.
type PostList struct {
	Posts []Post
	// Full reports that MaxListedPosts came back: the thread may hold more,
	// which Graph does not list, and its first post may be one of them.
	Full bool
}

// ListThreadPosts lists a thread's posts in the order Graph returns them,
// following every page.
func (c *Client) ListThreadPosts(ctx context.Context, groupID, conversationID, threadID string) (PostList, error) {
	posts, err := c.listPosts(ctx, groupID, conversationID, threadID)
	if err != nil {
		return PostList{}, err
	}
	return PostList{Posts: posts, Full: len(posts) >= MaxListedPosts}, nil
}

// StartingPost is the post that started a thread, and how it was found.
type StartingPost struct {
	Post
	// ListFull reports that the thread's post list came back full
	// (MaxListedPosts), so the first post was looked for by following
	// inReplyTo from the earliest post listed.
	ListFull bool
	// StepsBack is how many posts that took: 0 when the earliest post
	// listed replies to none.
	StepsBack int
}

// FirstThreadPost finds the post that started a thread, which holds what a
// user wrote in the configuration: used on import only, as posts cannot
// change once written. Graph promises no order, so it is the post received
// earliest of those listed (of posts received in the same second, the one
// listed first), or, when the list came back full, the post inReplyTo leads
// back to from there.
func (c *Client) FirstThreadPost(ctx context.Context, groupID, conversationID, threadID string) (StartingPost, error) {
	posts, err := c.listPosts(ctx, groupID, conversationID, threadID)
	if err != nil {
		return StartingPost{}, err
	}
	if len(posts) == 0 {
		return StartingPost{}, &Error{Operation: "find first post", StatusCode: 404, Code: "ErrorItemNotFound",
			Message: "the thread has no posts"}
	}
	return c.startingPost(ctx, groupID, conversationID, threadID, posts)
}

// startingPost is the first of a thread's listed posts, followed back along
// inReplyTo when the list came back full, or when posts received in the same
// second left it open which came first.
func (c *Client) startingPost(ctx context.Context, groupID, conversationID, threadID string, posts []Post) (StartingPost, error) {
	earliest, tied := earliestPost(posts)
	first := StartingPost{Post: earliest, ListFull: len(posts) >= MaxListedPosts}
	if !first.ListFull && !tied {
		return first, nil
	}
	seen := map[string]bool{first.ID: true}
	for {
		replied, err := c.repliedTo(ctx, groupID, conversationID, threadID, first.ID)
		if err != nil {
			return StartingPost{}, err
		}
		if replied == nil {
			tflog.Debug(ctx, "Found a thread's first post by following inReplyTo", map[string]any{
				"thread_id": threadID, "steps_back": first.StepsBack,
			})
			return first, nil
		}
		if seen[replied.ID] || first.StepsBack >= maxPagesPerListing {
			return StartingPost{}, &Error{Operation: "find first post", Failure: FailureBadAnswer, StatusCode: 200,
				Err: fmt.Errorf("following inReplyTo from post %s leads round in a circle or past %d posts", first.ID, maxPagesPerListing)}
		}
		seen[replied.ID] = true
		first.Post = *replied
		first.StepsBack++
	}
}

// repliedTo reads the post a post replies to, nil for one that replies to
// none.
func (c *Client) repliedTo(ctx context.Context, groupID, conversationID, threadID, postID string) (*Post, error) {
	const op = "read post"
	ctx, attempts := withAttemptCounter(ctx)
	ctx, answer := withAnswerRecord(ctx)
	got, err := c.threads(groupID, conversationID).ByConversationThreadId(threadID).Posts().ByPostId(postID).Get(ctx,
		&groups.ItemConversationsItemThreadsItemPostsPostItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &groups.ItemConversationsItemThreadsItemPostsPostItemRequestBuilderGetQueryParameters{
				Select: []string{"id"}, Expand: []string{"inReplyTo"},
			},
		})
	if err != nil {
		return nil, newAnswerError(op, int(attempts.Load()), err, answer)
	}
	if err := checkReadBack(op, "post", postID, got, answer, attempts, false); err != nil {
		return nil, err
	}
	parent := got.GetInReplyTo()
	if isNil(parent) {
		return nil, nil
	}
	if err := checkID(deref(parent.GetId())); err != nil {
		requestID, _ := answer.snapshot()
		return nil, &Error{Operation: op, Failure: FailureBadAnswer, StatusCode: 200, RequestID: requestID,
			Attempts: max(int(attempts.Load()), 1), Err: fmt.Errorf("the post that post %s replies to %s", postID, err)}
	}
	p := fromPost(parent)
	return &p, nil
}
