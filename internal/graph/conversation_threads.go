package graph

import (
	"context"
	"sync"
)

// StartedThread is a thread of a conversation with the post that started it.
type StartedThread struct {
	Thread
	FirstPost StartingPost
}

// ConversationThreads is every thread of a conversation that holds a post,
// in the order Graph lists them, each with the post that started it.
type ConversationThreads struct {
	Threads []StartedThread
	// First is the index in Threads of the thread that started the
	// conversation, or -1 when no thread holds a post.
	First int
}

// threadReadWorkers is how many conversations ListThreadsOfConversations
// reads at once. The mailbox limiter bounds the requests in flight per group
// whatever this is; reading a few conversations at a time keeps a large
// group's listing within a data source's deadline.
const threadReadWorkers = 4

// ListThreadsOfConversations calls ListConversationThreads for each of
// conversationIDs, a few at a time. A conversation deleted in the meantime
// (404) is left out of the answer. The first other failure stops the read
// and is returned.
func (c *Client) ListThreadsOfConversations(ctx context.Context, groupID string, conversationIDs []string) (map[string]ConversationThreads, error) {
	readCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu      sync.Mutex
		out     = make(map[string]ConversationThreads, len(conversationIDs))
		failure error
	)
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(threadReadWorkers, len(conversationIDs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				threads, err := c.ListConversationThreads(readCtx, groupID, id)
				mu.Lock()
				switch {
				case err == nil:
					out[id] = threads
				case IsNotFound(err):
					// Deleted since it was listed: there is nothing to read.
				case failure == nil:
					// Later failures are most likely this stop's own
					// cancellations, so only the first one is kept.
					failure = err
					stop()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, id := range conversationIDs {
		select {
		case next <- id:
		case <-readCtx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if failure != nil {
		return nil, failure
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Operation: "list conversation threads", Err: err}
	}
	return out, nil
}

// ListConversationThreads reads every thread of a conversation, recipients
// included, and the posts of each: one request for the threads and one per
// thread. It finds the same first posts as FirstPost and FirstThreadPost,
// which an import reads, so a configuration written from its answer imports
// without changes: a thread's first post is the one received earliest (of
// posts received in the same second, the one listed first), and the thread
// that started the conversation is the one whose first post is earliest (of
// equals, the one listed first). Threads without posts are left out, as
// there is nothing in them to adopt; a conversation without any has First
// -1.
func (c *Client) ListConversationThreads(ctx context.Context, groupID, conversationID string) (ConversationThreads, error) {
	threads, err := c.listThreads(ctx, groupID, conversationID, threadSelect)
	if err != nil {
		return ConversationThreads{}, err
	}

	out := ConversationThreads{First: -1}
	for _, t := range threads {
		posts, err := c.listPosts(ctx, groupID, conversationID, t.ID)
		if err != nil {
			return ConversationThreads{}, err
		}
		if len(posts) == 0 {
			continue
		}
		first, err := c.startingPost(ctx, groupID, conversationID, t.ID, posts)
		if err != nil {
			return ConversationThreads{}, err
		}
		out.Threads = append(out.Threads, StartedThread{Thread: t, FirstPost: first})
		if out.First < 0 || first.ReceivedDateTime.Before(out.Threads[out.First].FirstPost.ReceivedDateTime) {
			out.First = len(out.Threads) - 1
		}
	}
	return out, nil
}

// earliestPost is the post received earliest. Graph writes times to the
// second, so several posts can share the earliest: then, in a list that
// runs newest first (its first post received after its last), the one
// listed last, and otherwise the one listed first; tied reports that the
// list's order could not tell (every post received in the same second).
// posts must not be empty.
func earliestPost(posts []Post) (first Post, tied bool) {
	newestFirst := posts[0].ReceivedDateTime.After(posts[len(posts)-1].ReceivedDateTime)
	sameSecond := posts[0].ReceivedDateTime.Equal(posts[len(posts)-1].ReceivedDateTime)
	first = posts[0]
	for _, p := range posts[1:] {
		switch {
		case p.ReceivedDateTime.Before(first.ReceivedDateTime):
			first, tied = p, false
		case p.ReceivedDateTime.Equal(first.ReceivedDateTime):
			if newestFirst {
				first = p
			}
			tied = tied || sameSecond
		}
	}
	return first, tied
}
