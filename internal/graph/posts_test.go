package graph

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// A thread longer than the 100 posts Graph lists: listed newest first, its
// first post is missing from the list and is found by following inReplyTo;
// listed oldest first, it is the earliest listed.
func TestFirstPostOfALongThread(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		order         emulator.Order
		replies       int
		spread        bool // a second between posts, or all in one
		wantFull      bool
		wantStepsBack int
	}{
		{emulator.CreationOrder, 120, true, true, 0},
		{emulator.NewestFirst, 120, true, true, 21}, // 121 posts, the newest 100 listed
		{emulator.NewestFirst, 120, false, true, 21},
		{emulator.NewestFirst, 50, false, false, 0},
		{emulator.CreationOrder, 50, true, false, 0},
	} {
		t.Run(fmt.Sprintf("%s, %d replies, spread %t", tt.order, tt.replies, tt.spread), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			now := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				if tt.spread {
					clock = clock.Add(time.Second)
				}
				return clock
			}
			env := newTestEnv(t, emulator.Options{Now: now, Behaviour: emulator.Behaviour{PostsOrder: tt.order}})
			c := env.client(t, testToken, nil)
			ctx := testContext(t)
			conversation, err := env.server.SeedConversation(env.group.ID, "Long", emulator.ItemBody{ContentType: "html", Content: "<p>The first post</p>"},
				nil, emulator.Principal{DisplayName: "Adele Vance"})
			if err != nil {
				t.Fatal(err)
			}
			threadID := conversation.ThreadIDs[0]
			for i := range tt.replies {
				if _, err := env.server.SeedReply(env.group.ID, threadID, emulator.ItemBody{ContentType: "text", Content: fmt.Sprint("reply ", i)}, nil,
					emulator.Principal{DisplayName: "Lee Gu"}); err != nil {
					t.Fatal(err)
				}
			}
			want := env.server.Posts(env.group.ID, threadID)[0]

			list, err := c.ListThreadPosts(ctx, env.group.ID, conversation.ID, threadID)
			if err != nil {
				t.Fatal(err)
			}
			if list.Full != tt.wantFull {
				t.Errorf("Full = %t for %d posts listed, want %t", list.Full, len(list.Posts), tt.wantFull)
			}
			first, err := c.FirstThreadPost(ctx, env.group.ID, conversation.ID, threadID)
			if err != nil {
				t.Fatal(err)
			}
			if first.ID != want.ID || first.Body.Content != want.Body.Content {
				t.Errorf("first post = %s %q, want %s %q", first.ID, first.Body.Content, want.ID, want.Body.Content)
			}
			// Posts received a second apart give the list an order, and
			// the walk starts at the earliest listed; received in one second,
			// the list's order does not tell which came first, and the walk
			// may start further on.
			if first.ListFull != tt.wantFull || first.StepsBack < tt.wantStepsBack || tt.spread && first.StepsBack != tt.wantStepsBack {
				t.Errorf("ListFull, StepsBack = %t, %d; want %t, %d", first.ListFull, first.StepsBack, tt.wantFull, tt.wantStepsBack)
			}
			threadOfConversation, viaConversation, err := c.FirstPost(ctx, env.group.ID, conversation.ID)
			if err != nil || threadOfConversation != threadID || viaConversation.ID != want.ID {
				t.Errorf("FirstPost = %s %s %v, want %s %s", threadOfConversation, viaConversation.ID, err, threadID, want.ID)
			}
		})
	}
}
