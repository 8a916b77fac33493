package graph

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// replyMidListing is a transport that, before each of the first times
// requests for a further page of the conversation list, posts a reply to the
// conversation delivered longest ago (threads, oldest first): under
// newest-first $skip paging, the list shifts between two pages.
func replyMidListing(t *testing.T, env *testEnv, threads []string, times int) http.RoundTripper {
	var replies atomic.Int32
	next := http.DefaultTransport.(*http.Transport).Clone()
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if strings.HasSuffix(req.URL.Path, "/conversations") && strings.Contains(req.URL.RawQuery, "skip=") {
			if n := int(replies.Add(1)); n <= times {
				if _, err := env.server.SeedReply(env.group.ID, threads[(n-1)%len(threads)], emulator.ItemBody{ContentType: "text", Content: "mid-listing"}, nil,
					emulator.Principal{DisplayName: "Lee Gu"}); err != nil {
					t.Error(err)
				}
			}
		}
		return next.RoundTrip(req)
	})
}

func TestListConversationsSettled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// replies is how many listings see a reply arrive mid-listing.
		replies       int
		wantListings  int
		wantUnsettled bool
	}{
		{"a quiet list is listed once", 0, 1, false},
		{"a shift is listed again", 1, 2, false},
		{"a list that keeps shifting", 5, maxSettleListings, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{PageSize: 3, Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}})
			var want []string
			for i := range 8 {
				c, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("topic ", i), emulator.ItemBody{ContentType: "text", Content: "x"}, nil,
					emulator.Principal{DisplayName: "Adele Vance"})
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, c.ID)
				// Deliveries a second apart give the list a fixed order.
				time.Sleep(1010 * time.Millisecond / 8)
			}
			var threads []string
			for _, id := range want {
				c, _ := env.server.Conversation(env.group.ID, id)
				threads = append(threads, c.ThreadIDs[0])
			}
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), Transport: replyMidListing(t, env, threads, tt.replies)})
			got, err := c.ListConversationsSettled(testContext(t), env.group.ID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, cv := range got.Conversations {
				ids = append(ids, cv.ID)
			}
			slices.Sort(ids)
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("listed %d conversations %v, want all %d %v", len(ids), ids, len(want), want)
			}
			if got.Listings != tt.wantListings || got.Unsettled != tt.wantUnsettled {
				t.Errorf("listings = %d, unsettled = %t; want %d, %t", got.Listings, got.Unsettled, tt.wantListings, tt.wantUnsettled)
			}
		})
	}
}
