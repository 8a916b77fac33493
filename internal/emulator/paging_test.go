package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// seedConversations stores n conversations directly and returns their ids in
// creation order.
func seedConversations(t *testing.T, srv *Server, groupID string, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		c, err := srv.SeedConversation(groupID, fmt.Sprintf("Topic %02d", i), ItemBody{ContentType: "text", Content: "body"}, nil, alice)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func TestPagingFollowsNextLink(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{PageSize: 10})
	want := seedConversations(t, f.srv, f.team.ID, 25)

	var got []string
	var pageSizes []int
	next := f.base + "/groups/" + f.team.ID + "/conversations?$select=id,topic"
	for next != "" {
		if len(pageSizes) > 10 {
			t.Fatal("nextLink never ends")
		}
		r := f.do(request{path: next})
		wantStatus(t, r, http.StatusOK)
		m := r.object(t)
		values := r.values(t)
		pageSizes = append(pageSizes, len(values))
		for _, v := range values {
			got = append(got, v["id"].(string))
			if _, ok := v["preview"]; ok {
				t.Fatal("the nextLink dropped the client's $select")
			}
		}
		next, _ = m["@odata.nextLink"].(string)
		if next != "" && !strings.HasPrefix(next, f.hs.URL+"/v1.0/groups/"+f.team.ID+"/conversations?") {
			t.Fatalf("nextLink %q is not an absolute URL of this server", next)
		}
	}
	if !slices.Equal(pageSizes, []int{10, 10, 5}) {
		t.Errorf("page sizes = %v, want [10 10 5]", pageSizes)
	}
	if !slices.Equal(got, want) {
		t.Errorf("ids over all pages = %v, want creation order %v", got, want)
	}
}

func TestListQueryOptions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{PageSize: 10, MaxPageSize: 20})
	ids := seedConversations(t, f.srv, f.team.ID, 25)
	list := "/groups/" + f.team.ID + "/conversations"
	tests := []struct {
		name         string
		query        string
		wantStatus   int
		wantIDs      []string
		wantNextLink string // "" means none
	}{
		{"$top", "?$top=5", 200, ids[:5], "?$top=5&$skip=5"},
		{"encoded $top", "?%24top=5", 200, ids[:5], "?%24top=5&$skip=5"},
		{"$top clamped to MaxPageSize", "?$top=2000", 200, ids[:20], "?$top=2000&$skip=20"},
		{"$skip", "?$skip=22", 200, ids[22:], ""},
		{"$skip and $top", "?$top=3&$skip=3", 200, ids[3:6], "?$top=3&$skip=6"},
		{"$skip past the end", "?$skip=100", 200, []string{}, ""},
		{"$top=0", "?$top=0", 200, []string{}, ""},
		{"ignored options are kept in nextLink", "?$orderby=topic&$top=24", 200, ids[:20], "?$orderby=topic&$top=24&$skip=20"},
		{"negative $top", "?$top=-1", 400, nil, ""},
		{"non-numeric $top", "?$top=ten", 400, nil, ""},
		{"huge $skip", "?$skip=99999999999999999999999", 400, nil, ""},
		{"duplicate $top", "?$top=1&$top=2", 400, nil, ""},
		{"bad percent-encoding", "?$top=%zz", 400, nil, ""},
		{"filter on hasAttachments", "?$filter=hasAttachments eq false&$top=2", 200, ids[:2], "?$filter=hasAttachments%20eq%20false&$top=2&$skip=2"},
		{"filter on hasAttachments ne", "?$filter=hasAttachments ne false", 200, []string{}, ""},
		{"filter on topic is unsupported", "?$filter=topic eq 'x'", 400, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			query := strings.ReplaceAll(tt.query, " ", "%20")
			r := f.do(request{path: list + query})
			if tt.wantStatus != http.StatusOK {
				wantStatus(t, r, tt.wantStatus)
				if _, ok := r.object(t)["error"]; !ok {
					t.Errorf("no error envelope: %s", r.body)
				}
				return
			}
			wantStatus(t, r, http.StatusOK)
			var got []string
			for _, v := range r.values(t) {
				got = append(got, v["id"].(string))
			}
			if got == nil {
				got = []string{}
			}
			if !slices.Equal(got, tt.wantIDs) {
				t.Errorf("ids = %v, want %v", got, tt.wantIDs)
			}
			next, _ := r.object(t)["@odata.nextLink"].(string)
			want := ""
			if tt.wantNextLink != "" {
				want = f.hs.URL + "/v1.0" + list + tt.wantNextLink
			}
			if next != want {
				t.Errorf("nextLink = %q, want %q", next, want)
			}
		})
	}
}

func TestPostsListStopsAtHundred(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Busy thread")
	f.srv.store.mu.Lock()
	g := f.srv.store.groups[f.team.ID]
	for i := range 104 {
		f.srv.store.addPost(g, g.threads[tid], newPostInput{body: ItemBody{"text", fmt.Sprint("reply ", i)}}, bob, f.srv.now(), "")
	}
	f.srv.store.mu.Unlock()

	r := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid + "/posts?$top=999"})
	wantStatus(t, r, http.StatusOK)
	if n := len(r.values(t)); n != maxPostsListed {
		t.Errorf("posts = %d, want %d", n, maxPostsListed)
	}
	if next, ok := r.object(t)["@odata.nextLink"]; ok {
		t.Errorf("nextLink %v, want none: the list stops at 100", next)
	}
	if n := len(f.srv.Posts(f.team.ID, tid)); n != 105 {
		t.Errorf("stored posts = %d, want 105", n)
	}
}
