package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// listAll follows nextLinks from path and returns the ids of every page, one
// slice per page.
func (f *fixture) listAll(path string, header map[string]string) [][]string {
	f.t.Helper()
	var pages [][]string
	next := path
	for next != "" {
		if len(pages) > 100 {
			f.t.Fatal("nextLink never ends")
		}
		r := f.do(request{path: next, header: header})
		wantStatus(f.t, r, http.StatusOK)
		page := []string{}
		for _, v := range r.values(f.t) {
			page = append(page, v["id"].(string))
		}
		pages = append(pages, page)
		next, _ = r.object(f.t)["@odata.nextLink"].(string)
	}
	return pages
}

func pageSizes(pages [][]string) []int {
	sizes := make([]int, len(pages))
	for i, p := range pages {
		sizes[i] = len(p)
	}
	return sizes
}

func TestMailboxListPaging(t *testing.T) {
	t.Parallel()
	prefer := func(n string) map[string]string { return map[string]string{"Prefer": "odata.maxpagesize=" + n} }
	tests := []struct {
		name          string
		opts          Options
		query         string
		header        map[string]string
		wantSizes     []int
		wantPreferred string // Preference-Applied of the first answer
	}{
		{"default: $top is the page size", Options{}, "?$top=10", nil, []int{10, 10, 5}, ""},
		{"default: no $top pages by PageSize", Options{PageSize: 7}, "", nil, []int{7, 7, 7, 4}, ""},
		{"page cap bounds $top", Options{MaxPageSize: 4}, "?$top=1000", nil, []int{4, 4, 4, 4, 4, 4, 1}, ""},
		{"page cap bounds PageSize", Options{MaxPageSize: 4, PageSize: 50}, "", nil, []int{4, 4, 4, 4, 4, 4, 1}, ""},
		{"$top caps the total", Options{Behaviour: Behaviour{TopCapsTotal: true}}, "?$top=10", nil, []int{10}, ""},
		{"$top caps the total across capped pages", Options{MaxPageSize: 4, Behaviour: Behaviour{TopCapsTotal: true}}, "?$top=10", nil, []int{4, 4, 2}, ""},
		{"$top above the total", Options{Behaviour: Behaviour{TopCapsTotal: true}}, "?$top=1000", nil, []int{25}, ""},
		{"$top caps the total after $skip", Options{Behaviour: Behaviour{TopCapsTotal: true}}, "?$top=10&$skip=20", nil, []int{5}, ""},
		{"total cap without $top pages to the end", Options{PageSize: 10, Behaviour: Behaviour{TopCapsTotal: true}}, "", nil, []int{10, 10, 5}, ""},
		{"Prefer ignored by default", Options{PageSize: 10}, "", prefer("3"), []int{10, 10, 5}, ""},
		{"Prefer honoured", Options{Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "", prefer("6"), []int{6, 6, 6, 6, 1}, "odata.maxpagesize=6"},
		{"Prefer above PageSize", Options{PageSize: 2, Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "", prefer("20"), []int{20, 5}, "odata.maxpagesize=20"},
		{"Prefer bounded by the page cap", Options{MaxPageSize: 8, Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "", prefer("20"), []int{8, 8, 8, 1}, "odata.maxpagesize=8"},
		{"Prefer and a smaller $top", Options{Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "?$top=5", prefer("20"), []int{5, 5, 5, 5, 5}, "odata.maxpagesize=20"},
		{"Prefer among other preferences", Options{Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "",
			map[string]string{"Prefer": `outlook.body-content-type="text", odata.maxpagesize=9`}, []int{9, 9, 7}, "odata.maxpagesize=9"},
		{"a malformed Prefer is ignored", Options{PageSize: 10, Behaviour: Behaviour{HonourMaxPageSizePreference: true}}, "", prefer("lots"), []int{10, 10, 5}, ""},
		{"Prefer and a total cap", Options{Behaviour: Behaviour{HonourMaxPageSizePreference: true, TopCapsTotal: true}}, "?$top=12", prefer("5"), []int{5, 5, 2}, "odata.maxpagesize=5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			want := seedConversations(t, f.srv, f.team.ID, 25)
			path := "/groups/" + f.team.ID + "/conversations" + tt.query
			first := f.do(request{path: path, header: tt.header})
			if got := first.header.Get("Preference-Applied"); got != tt.wantPreferred {
				t.Errorf("Preference-Applied = %q, want %q", got, tt.wantPreferred)
			}
			pages := f.listAll(path, tt.header)
			if got := pageSizes(pages); !slices.Equal(got, tt.wantSizes) {
				t.Errorf("page sizes = %v, want %v", got, tt.wantSizes)
			}
			skip := 0
			if strings.Contains(tt.query, "$skip=20") {
				skip = 20
			}
			if got := slices.Concat(pages...); !slices.Equal(got, want[skip:skip+len(got)]) {
				t.Errorf("ids = %v, want creation order from %d", got, skip)
			}
		})
	}
}

func TestTopCapsTotalNextLinkCarriesWhatIsLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{MaxPageSize: 4, Behaviour: Behaviour{TopCapsTotal: true}})
	seedConversations(t, f.srv, f.team.ID, 12)
	list := "/groups/" + f.team.ID + "/conversations"
	r := f.do(request{path: list + "?$select=id&%24top=10"})
	next, _ := r.object(t)["@odata.nextLink"].(string)
	if want := f.hs.URL + "/v1.0" + list + "?$select=id&$top=6&$skip=4"; next != want {
		t.Errorf("nextLink = %q, want %q", next, want)
	}
}

func TestSetMaxPageSizeAppliesToTheNextList(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	seedConversations(t, f.srv, f.team.ID, 25)
	path := "/groups/" + f.team.ID + "/conversations?$top=1000"
	if got := pageSizes(f.listAll(path, nil)); !slices.Equal(got, []int{25}) {
		t.Fatalf("page sizes = %v, want [25]", got)
	}
	f.srv.SetMaxPageSize(10)
	if got := pageSizes(f.listAll(path, nil)); !slices.Equal(got, []int{10, 10, 5}) {
		t.Errorf("page sizes after SetMaxPageSize(10) = %v, want [10 10 5]", got)
	}
}

func TestDirectoryListsKeepDirectoryPaging(t *testing.T) {
	t.Parallel()
	// The behaviour options model Exchange; the group list is served by the
	// directory and keeps $top as its page size.
	f := newFixture(t, Options{Behaviour: Behaviour{TopCapsTotal: true, HonourMaxPageSizePreference: true}})
	r := f.do(request{path: "/groups?$top=1", header: map[string]string{"Prefer": "odata.maxpagesize=2"}})
	if _, ok := r.object(t)["@odata.nextLink"]; !ok || len(r.values(t)) != 1 {
		t.Errorf("groups?$top=1 = %s, want one group and a nextLink", r.body)
	}
	if got := r.header.Get("Preference-Applied"); got != "" {
		t.Errorf("Preference-Applied = %q on a directory list", got)
	}
}

// seedOverTime seeds n conversations one minute apart on clock and returns
// their ids, oldest first.
func seedOverTime(t *testing.T, srv *Server, clock *fakeClock, groupID string, n int) []string {
	t.Helper()
	ids := make([]string, 0, n)
	for i := range n {
		c, err := srv.SeedConversation(groupID, fmt.Sprintf("Topic %02d", i), ItemBody{ContentType: "text", Content: "body"}, nil, alice)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		clock.Advance(time.Minute)
	}
	return ids
}

func TestNewestFirstOrder(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{ListOrder: NewestFirst}})
	ids := seedOverTime(t, f.srv, clock, f.team.ID, 4)
	// A reply to the oldest conversation makes it the newest.
	thread := f.srv.Threads(f.team.ID, ids[0])[0].ID
	if _, err := f.srv.SeedReply(f.team.ID, thread, ItemBody{ContentType: "text", Content: "bump"}, nil, bob); err != nil {
		t.Fatal(err)
	}
	want := []string{ids[0], ids[3], ids[2], ids[1]}
	got := slices.Concat(f.listAll("/groups/"+f.team.ID+"/conversations?$top=3", nil)...)
	if !slices.Equal(got, want) {
		t.Errorf("conversations = %v, want newest delivery first %v", got, want)
	}

	r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$top=1"})
	if v := r.values(t); len(v) != 1 || v[0]["lastDeliveredDateTime"] != formatTime(clock.Now()) {
		t.Errorf("first conversation = %v, want the one delivered last, at %s", v, formatTime(clock.Now()))
	}
}

func TestPagingShiftsWhenAReplyArrivesBetweenPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		order Order
		// want lists the ids seen over both pages, by index into the seeded
		// conversations.
		want []int
	}{
		// Newest first, [4 3 | 2 1 0]: the reply moves 0 to the front, so
		// the second page ($skip=2) starts at 3 again.
		{"newest first repeats an item", NewestFirst, []int{4, 3, 3, 2}},
		{"creation order is stable", CreationOrder, []int{0, 1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{ListOrder: tt.order}})
			ids := seedOverTime(t, f.srv, clock, f.team.ID, 5)
			r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$top=2"})
			var got []string
			for _, v := range r.values(t) {
				got = append(got, v["id"].(string))
			}
			thread := f.srv.Threads(f.team.ID, ids[0])[0].ID
			if _, err := f.srv.SeedReply(f.team.ID, thread, ItemBody{ContentType: "text", Content: "late reply"}, nil, bob); err != nil {
				t.Fatal(err)
			}
			r = f.do(request{path: r.object(t)["@odata.nextLink"].(string)})
			for _, v := range r.values(t) {
				got = append(got, v["id"].(string))
			}
			var want []string
			for _, i := range tt.want {
				want = append(want, ids[i])
			}
			if !slices.Equal(got, want) {
				t.Errorf("two pages = %v, want %v", got, want)
			}
		})
	}
}

func TestThreadListsFollowListOrder(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{ListOrder: NewestFirst}})
	conv, err := f.srv.SeedConversation(f.team.ID, "Threads", ItemBody{ContentType: "text", Content: "first"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	second, err := f.srv.SeedThread(f.team.ID, conv.ID, ItemBody{ContentType: "text", Content: "second"}, nil, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	other, err := f.srv.SeedConversation(f.team.ID, "Other", ItemBody{ContentType: "text", Content: "other"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	first := conv.ThreadIDs[0]
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/groups/" + f.team.ID + "/conversations/" + conv.ID + "/threads", []string{second.ID, first}},
		{"/groups/" + f.team.ID + "/threads", []string{other.ThreadIDs[0], second.ID, first}},
	} {
		if got := slices.Concat(f.listAll(tt.path, nil)...); !slices.Equal(got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestPostsListOrderAndCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		order     Order
		wantFirst int // index of the first listed post in delivery order
		wantLast  int
	}{
		{"oldest first lists the 100 oldest", CreationOrder, 0, 99},
		{"newest first lists the 100 newest", NewestFirst, 104, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Behaviour: Behaviour{PostsOrder: tt.order}})
			conv, err := f.srv.SeedConversation(f.team.ID, "Busy", ItemBody{ContentType: "text", Content: "first"}, nil, alice)
			if err != nil {
				t.Fatal(err)
			}
			tid := conv.ThreadIDs[0]
			for i := range 104 {
				if _, err := f.srv.SeedReply(f.team.ID, tid, ItemBody{ContentType: "text", Content: fmt.Sprint("reply ", i)}, nil, bob); err != nil {
					t.Fatal(err)
				}
			}
			stored := f.srv.Posts(f.team.ID, tid)
			path := "/groups/" + f.team.ID + "/threads/" + tid + "/posts"
			r := f.do(request{path: path + "?$top=999"})
			wantStatus(t, r, http.StatusOK)
			values := r.values(t)
			if len(values) != maxPostsListed {
				t.Fatalf("posts = %d, want %d", len(values), maxPostsListed)
			}
			if next, ok := r.object(t)["@odata.nextLink"]; ok {
				t.Errorf("nextLink %v, want none", next)
			}
			if values[0]["id"] != stored[tt.wantFirst].ID || values[99]["id"] != stored[tt.wantLast].ID {
				t.Errorf("first and last listed = %v, %v; want posts %d and %d", values[0]["id"], values[99]["id"], tt.wantFirst, tt.wantLast)
			}
			// Paged without $top, the same 100 come back, 10 at a time.
			if got := slices.Concat(f.listAll(path, nil)...); len(got) != maxPostsListed || got[0] != stored[tt.wantFirst].ID {
				t.Errorf("paged posts = %d starting %v, want 100 starting with post %d", len(got), got[0], tt.wantFirst)
			}
		})
	}
}
