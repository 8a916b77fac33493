package graph

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

func TestThreadLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	conversation, err := env.server.SeedConversation(env.group.ID, "Kickoff", emulator.ItemBody{Content: "first"}, nil,
		emulator.Principal{DisplayName: "Adele Vance"})
	if err != nil {
		t.Fatal(err)
	}

	threadID, err := c.CreateThread(ctx, env.group.ID, conversation.ID, NewThread{
		Topic:        "Kickoff",
		Body:         ItemBody{ContentType: "html", Content: "<p>Follow-up</p>"},
		ToRecipients: []Recipient{{Name: "Lee Gu", Address: "lee@contoso.com"}},
		CcRecipients: []Recipient{{Address: "cc@contoso.com"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !exchangeID.MatchString(threadID) {
		t.Fatalf("thread id %q does not look like an Exchange id", threadID)
	}

	got, err := c.WaitForThread(ctx, env.group.ID, conversation.ID, threadID)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	want := Thread{
		ID: threadID, Topic: "Kickoff", Preview: "Follow-up", UniqueSenders: []string{testUserName},
		ToRecipients: []Recipient{{Name: "Lee Gu", Address: "lee@contoso.com"}},
		CcRecipients: []Recipient{{Address: "cc@contoso.com"}},
	}
	if got.LastDeliveredDateTime.IsZero() || got.IsLocked || got.HasAttachments || got.ID != want.ID || got.Topic != want.Topic ||
		got.Preview != want.Preview || !slices.Equal(got.UniqueSenders, want.UniqueSenders) ||
		!slices.Equal(got.ToRecipients, want.ToRecipients) || !slices.Equal(got.CcRecipients, want.CcRecipients) {
		t.Fatalf("thread = %+v, want %+v", got, want)
	}

	for _, locked := range []bool{true, false} {
		if err := c.SetThreadLocked(ctx, env.group.ID, conversation.ID, threadID, locked); err != nil {
			t.Fatalf("lock %v: %v", locked, err)
		}
		if stored, _ := env.server.Thread(env.group.ID, threadID); stored.IsLocked != locked {
			t.Fatalf("the emulator's thread isLocked = %v, want %v", stored.IsLocked, locked)
		}
		if got, err := c.GetThread(ctx, env.group.ID, conversation.ID, threadID); err != nil || got.IsLocked != locked {
			t.Fatalf("read after lock %v: %+v, %v", locked, got, err)
		}
	}

	first, err := c.FirstThreadPost(ctx, env.group.ID, conversation.ID, threadID)
	if err != nil {
		t.Fatalf("first post: %v", err)
	}
	if first.Body.ContentType != "html" || !strings.Contains(first.Body.Content, "<p>Follow-up</p>") || first.From.Name != testUserName {
		t.Fatalf("first post = %+v", first)
	}

	if err := c.DeleteThread(ctx, env.group.ID, conversation.ID, threadID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetThread(ctx, env.group.ID, conversation.ID, threadID); !IsNotFound(err) {
		t.Fatalf("read after delete: want a 404, got %v", err)
	}
	if err := c.DeleteThread(ctx, env.group.ID, conversation.ID, threadID); !IsNotFound(err) {
		t.Fatalf("second delete: want a 404, got %v", err)
	}
	if _, ok := env.server.Conversation(env.group.ID, conversation.ID); !ok {
		t.Fatal("deleting the second thread took the conversation with it")
	}
}

// A thread reached through the conversation answers 404 while the
// conversation is still invisible; the wait outlasts that, and gives up at
// the deadline naming the reads it made.
func TestWaitForThread(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{InvisibleFor: 500 * time.Millisecond})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "late", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetThread(ctx, env.group.ID, created.ID, created.ThreadID); !IsNotFound(err) {
		t.Fatalf("the emulator should hide the new thread; got %v", err)
	}
	got, err := c.WaitForThread(ctx, env.group.ID, created.ID, created.ThreadID)
	if err != nil || got.ID != created.ThreadID || got.Topic != "late" {
		t.Fatalf("wait: %+v, %v", got, err)
	}

	if !env.server.DeleteConversation(env.group.ID, created.ID) {
		t.Fatal("the conversation was not in the emulator")
	}
	short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.WaitForThread(short, env.group.ID, created.ID, created.ThreadID)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "wait for new thread to become readable") {
		t.Fatalf("want a 404 naming the wait, got %v", err)
	}
}

func TestThreadErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	ctx := testContext(t)
	conversation, err := env.server.SeedConversation(env.group.ID, "t", emulator.ItemBody{Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		token          string
		conversationID string
		body           ItemBody
		wantStatus     int
		wantCode       string
	}{
		{"unknown conversation", testToken, "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=", ItemBody{Content: "x"}, 404, "ErrorItemNotFound"},
		{"application token", testAppToken, conversation.ID, ItemBody{Content: "x"}, 403, "ErrorAccessDenied"},
		{"unknown content type", testToken, conversation.ID, ItemBody{ContentType: "markdown", Content: "x"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := env.client(t, tt.token, nil)
			_, err := c.CreateThread(ctx, env.group.ID, tt.conversationID, NewThread{Topic: "t", Body: tt.body})
			var ge *Error
			if err == nil || !asError(err, &ge) || ge.StatusCode != tt.wantStatus || ge.Code != tt.wantCode {
				t.Fatalf("got %v, want status %d code %q", err, tt.wantStatus, tt.wantCode)
			}
		})
	}
	if n := len(env.server.Threads(env.group.ID, conversation.ID)); n != 1 {
		t.Fatalf("failed creates left %d threads, want the 1 seeded", n)
	}
}

func TestListThreadPostsKeepsGraphOrder(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{PageSize: 2})
	c := env.client(t, testToken, nil)
	conversation, err := env.server.SeedConversation(env.group.ID, "t", emulator.ItemBody{Content: "post 0"}, nil, emulator.Principal{DisplayName: "A"})
	if err != nil {
		t.Fatal(err)
	}
	threadID := conversation.ThreadIDs[0]
	for i := 1; i < 5; i++ {
		if _, err := env.server.SeedReply(env.group.ID, threadID, emulator.ItemBody{Content: "post " + string(rune('0'+i))}, nil,
			emulator.Principal{DisplayName: "B", Address: "b@contoso.com"}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := c.ListThreadPosts(testContext(t), env.group.ID, conversation.ID, threadID)
	if err != nil {
		t.Fatal(err)
	}
	posts := list.Posts
	if list.Full {
		t.Error("a list of 5 posts is reported full")
	}
	stored := env.server.Posts(env.group.ID, threadID)
	if len(posts) != 5 || len(stored) != 5 {
		t.Fatalf("listed %d posts over pages of 2, want 5", len(posts))
	}
	for i, p := range posts {
		if p.ID != stored[i].ID || p.Body.Content != "post "+string(rune('0'+i)) {
			t.Fatalf("post %d = %+v, want %s", i, p, stored[i].ID)
		}
	}
	if posts[4].Sender != (Recipient{Name: "B", Address: "b@contoso.com"}) {
		t.Fatalf("sender = %+v", posts[4].Sender)
	}
}
