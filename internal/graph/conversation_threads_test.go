package graph

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// settableClock is the emulator's clock in these tests, so posts can be
// received in any order.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *settableClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// ListConversationThreads must find exactly the first posts and recipients
// that an import reads (FirstPost, FirstThreadPost, GetThread): a
// configuration written from the one and state read by the others must not
// differ, or adopting a conversation would plan to replace it.
func TestListConversationThreadsAgreesWithImport(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	lee := emulator.Recipient{Name: "Lee Gu", Address: "lee@contoso.example"}

	tests := map[string]struct {
		// seed builds the conversation and returns its id and the id of the
		// thread that started it.
		seed func(t *testing.T, env *testEnv, clock *settableClock) (conversationID, firstThreadID string)
		// threads is how many threads hold posts.
		threads int
	}{
		"one thread with replies": {
			threads: 1,
			seed: func(t *testing.T, env *testEnv, clock *settableClock) (string, string) {
				clock.Set(start)
				c, err := env.server.SeedConversation(env.group.ID, "Kickoff",
					emulator.ItemBody{ContentType: "html", Content: "<p>Agenda</p>"}, []emulator.Recipient{lee}, adele)
				if err != nil {
					t.Fatal(err)
				}
				thread := env.server.Threads(env.group.ID, c.ID)[0]
				clock.Set(start.Add(time.Minute))
				if _, err := env.server.SeedReply(env.group.ID, thread.ID, emulator.ItemBody{Content: "Thanks"},
					[]emulator.Recipient{{Address: "new@contoso.example"}}, adele); err != nil {
					t.Fatal(err)
				}
				return c.ID, thread.ID
			},
		},
		"a later thread with recipients": {
			threads: 2,
			seed: func(t *testing.T, env *testEnv, clock *settableClock) (string, string) {
				clock.Set(start)
				c, err := env.server.SeedConversation(env.group.ID, "Budget", emulator.ItemBody{Content: "Numbers inside"}, nil, adele)
				if err != nil {
					t.Fatal(err)
				}
				clock.Set(start.Add(time.Hour))
				if _, err := env.server.SeedThread(env.group.ID, c.ID, emulator.ItemBody{ContentType: "html", Content: "<p>Q3</p>"},
					[]emulator.Recipient{lee}, []emulator.Recipient{{Address: "cc@contoso.example"}}, adele); err != nil {
					t.Fatal(err)
				}
				return c.ID, env.server.Threads(env.group.ID, c.ID)[0].ID
			},
		},
		// Graph promises no order: the thread listed second can hold the
		// earliest post (a message delivered late, a clock moved back).
		"the earliest post in the thread listed second": {
			threads: 2,
			seed: func(t *testing.T, env *testEnv, clock *settableClock) (string, string) {
				clock.Set(start)
				c, err := env.server.SeedConversation(env.group.ID, "Offsite", emulator.ItemBody{Content: "Listed first"}, nil, adele)
				if err != nil {
					t.Fatal(err)
				}
				clock.Set(start.Add(-time.Hour))
				second, err := env.server.SeedThread(env.group.ID, c.ID, emulator.ItemBody{Content: "Received first"}, nil, nil, adele)
				if err != nil {
					t.Fatal(err)
				}
				// The emulator hides what was created after its present.
				clock.Set(start.Add(time.Minute))
				return c.ID, second.ID
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := &settableClock{now: start}
			env := newTestEnv(t, emulator.Options{Now: clock.Now})
			c := env.client(t, testToken, nil)
			ctx := testContext(t)
			conversationID, firstThreadID := tt.seed(t, env, clock)

			got, err := c.ListConversationThreads(ctx, env.group.ID, conversationID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Threads) != tt.threads {
				t.Fatalf("got %d threads, want %d", len(got.Threads), tt.threads)
			}
			if id := got.Threads[got.First].ID; id != firstThreadID {
				t.Fatalf("first thread = %s, want %s", id, firstThreadID)
			}

			importedThreadID, importedFirst, err := c.FirstPost(ctx, env.group.ID, conversationID)
			if err != nil {
				t.Fatal(err)
			}
			if first := got.Threads[got.First]; first.ID != importedThreadID || !sameImportedPost(first.FirstPost, importedFirst) {
				t.Fatalf("first thread %s post %+v, but an import reads thread %s post %+v",
					first.ID, first.FirstPost, importedThreadID, importedFirst)
			}
			for _, thread := range got.Threads {
				imported, err := c.GetThread(ctx, env.group.ID, conversationID, thread.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !sameImportedThread(thread.Thread, imported) {
					t.Errorf("thread %+v, but an import reads %+v", thread.Thread, imported)
				}
				importedPost, err := c.FirstThreadPost(ctx, env.group.ID, conversationID, thread.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !sameImportedPost(thread.FirstPost, importedPost) {
					t.Errorf("thread %s starts with %+v, but an import reads %+v", thread.ID, thread.FirstPost, importedPost)
				}
			}
		})
	}
}

func TestListConversationThreadsNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	_, err := c.ListConversationThreads(testContext(t), env.group.ID, "AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk=")
	if !IsNotFound(err) {
		t.Fatalf("want a 404, got %v", err)
	}
}

// Several conversations are read at once; one deleted since it was listed
// is left out, and a failure is reported as such.
func TestListThreadsOfConversations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{PageSize: 2})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	var ids []string
	want := map[string]string{}
	for i := range 9 {
		content := fmt.Sprintf("Post %d", i)
		seeded, err := env.server.SeedConversation(env.group.ID, fmt.Sprintf("Topic %d", i), emulator.ItemBody{Content: content}, nil, adele)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, seeded.ID)
		want[seeded.ID] = content
	}
	deleted := ids[4]
	env.server.DeleteConversation(env.group.ID, deleted)
	delete(want, deleted)

	got, err := c.ListThreadsOfConversations(ctx, env.group.ID, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d conversations, want %d", len(got), len(want))
	}
	for id, content := range want {
		threads, ok := got[id]
		if !ok || len(threads.Threads) != 1 || threads.First != 0 || threads.Threads[0].FirstPost.Body.Content != content {
			t.Errorf("conversation %s: %+v, want one thread starting with %q", id, threads, content)
		}
	}

	stranger := env.client(t, "not-a-token-the-emulator-knows", nil)
	if _, err := stranger.ListThreadsOfConversations(ctx, env.group.ID, ids); StatusCode(err) != 401 {
		t.Fatalf("reading with an unknown token: want a 401, got %v", err)
	}
	if got, err := c.ListThreadsOfConversations(ctx, env.group.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("no conversations: got %v, %v", got, err)
	}
}

func sameImportedPost(a, b StartingPost) bool {
	return a.ID == b.ID && a.Body == b.Body && slices.Equal(a.NewParticipants, b.NewParticipants)
}

func sameImportedThread(a, b Thread) bool {
	return a.ID == b.ID && a.Topic == b.Topic && a.IsLocked == b.IsLocked &&
		slices.Equal(a.ToRecipients, b.ToRecipients) && slices.Equal(a.CcRecipients, b.CcRecipients)
}
