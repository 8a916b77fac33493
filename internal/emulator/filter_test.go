package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestFilterLastDelivered(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{FilterLastDelivered: true}})
	ids := seedOverTime(t, f.srv, clock, f.team.ID, 4)
	delivered := make([]time.Time, len(ids))
	for i, id := range ids {
		c, _ := f.srv.Conversation(f.team.ID, id)
		delivered[i] = c.LastDeliveredDateTime
	}
	// A reply makes the oldest conversation the newest: the filter sees its
	// last delivery, not its creation.
	thread := f.srv.Threads(f.team.ID, ids[0])[0].ID
	if _, err := f.srv.SeedReply(f.team.ID, thread, ItemBody{ContentType: "text", Content: "bump"}, nil, bob); err != nil {
		t.Fatal(err)
	}
	literal := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
	tests := []struct {
		filter string
		want   []string
	}{
		{"lastDeliveredDateTime ge " + literal(delivered[2]), []string{ids[0], ids[2], ids[3]}},
		{"lastDeliveredDateTime le " + literal(delivered[2]), []string{ids[1], ids[2]}},
		{"lastDeliveredDateTime eq " + literal(delivered[1]), []string{ids[1]}},
		{"lastDeliveredDateTime ne " + literal(delivered[1]), []string{ids[0], ids[2], ids[3]}},
		// Fractions and offsets are DateTimeOffset literals too; Graph
		// compares the property as it writes it, to the second.
		{"lastDeliveredDateTime ge " + delivered[2].Add(-500*time.Millisecond).In(time.FixedZone("", -3600)).Format(time.RFC3339Nano), []string{ids[0], ids[2], ids[3]}},
		{"LastDeliveredDateTime  GE  " + literal(delivered[3]), []string{ids[0], ids[3]}},
	}
	for _, tt := range tests {
		r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$filter=" + url.QueryEscape(tt.filter)})
		wantStatus(t, r, http.StatusOK)
		var got []string
		for _, v := range r.values(t) {
			got = append(got, v["id"].(string))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("$filter=%s: %v, want %v", tt.filter, got, tt.want)
		}
	}
	for _, filter := range []string{
		"lastDeliveredDateTime gt " + literal(delivered[2]),
		"lastDeliveredDateTime ge '" + literal(delivered[2]) + "'",
		"lastDeliveredDateTime ge yesterday",
		"lastDeliveredDateTime ge " + literal(delivered[2]) + " and hasAttachments eq false",
		"topic eq 'x'",
	} {
		r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$filter=" + url.QueryEscape(filter)})
		wantError(t, r, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter")
	}
}

func TestFilterLastDeliveredRefusedByDefault(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	f.createConversation(f.team.ID, "Any")
	filter := url.QueryEscape("lastDeliveredDateTime ge 2020-01-01T00:00:00Z")
	r := f.do(request{path: "/groups/" + f.team.ID + "/conversations?$filter=" + filter})
	wantError(t, r, http.StatusBadRequest, "ErrorInvalidUrlQueryFilter")
	// hasAttachments stays supported either way.
	r = f.do(request{path: "/groups/" + f.team.ID + "/conversations?$filter=hasAttachments%20eq%20false"})
	wantStatus(t, r, http.StatusOK)
	if n := len(r.values(t)); n != 1 {
		t.Errorf("hasAttachments eq false listed %d conversations, want 1", n)
	}
}

func TestFilterLastDeliveredPagesOverTheFilteredList(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{FilterLastDelivered: true, ListOrder: NewestFirst}})
	ids := seedOverTime(t, f.srv, clock, f.team.ID, 7)
	c, _ := f.srv.Conversation(f.team.ID, ids[2])
	filter := url.QueryEscape("lastDeliveredDateTime ge " + formatTime(c.LastDeliveredDateTime))
	pages := f.listAll("/groups/"+f.team.ID+"/conversations?$top=2&$filter="+filter, nil)
	want := [][]string{{ids[6], ids[5]}, {ids[4], ids[3]}, {ids[2]}}
	if !slices.EqualFunc(pages, want, slices.Equal[[]string]) {
		t.Errorf("pages = %v, want %v", pages, want)
	}
}
