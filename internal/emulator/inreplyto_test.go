package emulator

import (
	"net/http"
	"testing"
)

func TestInReplyToIsExpanded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Replies")
	thread := "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid
	reply := func(path, content string) {
		t.Helper()
		r := f.do(request{method: http.MethodPost, path: path + "/reply",
			body: map[string]any{"post": map[string]any{"body": map[string]any{"contentType": "text", "content": content}}}})
		wantStatus(t, r, http.StatusAccepted)
	}
	posts := func() []Post { return f.srv.Posts(f.team.ID, tid) }
	first := posts()[0]
	reply(thread, "to the thread")     // answers the newest post: the first
	reply(thread, "to the thread too") // answers the newest post: the one above
	reply(thread+"/posts/"+first.ID, "to the first post")
	all := posts()
	want := map[string]string{all[0].ID: "", all[1].ID: all[0].ID, all[2].ID: all[1].ID, all[3].ID: all[0].ID}
	for _, p := range all {
		if p.InReplyTo != want[p.ID] {
			t.Errorf("post %q: InReplyTo = %q, want %q", p.Body.Content, p.InReplyTo, want[p.ID])
		}
	}

	r := f.do(request{path: thread + "/posts?$expand=inReplyTo"})
	wantStatus(t, r, http.StatusOK)
	for _, v := range r.values(t) {
		id := v["id"].(string)
		replied, present := v["inReplyTo"]
		switch {
		case !present:
			t.Errorf("post %s: no inReplyTo member with $expand=inReplyTo", id)
		case want[id] == "" && replied != nil:
			t.Errorf("post %s starts the thread but inReplyTo = %v", id, replied)
		case want[id] != "":
			parent, ok := replied.(map[string]any)
			if !ok || parent["id"] != want[id] || parent["body"] == nil {
				t.Errorf("post %s: inReplyTo = %v, want post %s with its properties", id, replied, want[id])
			}
		}
	}

	r = f.do(request{path: thread + "/posts/" + all[2].ID + "?$expand=inReplyTo&$select=id"})
	wantStatus(t, r, http.StatusOK)
	if parent, _ := r.object(t)["inReplyTo"].(map[string]any); parent == nil || parent["id"] != all[1].ID {
		t.Errorf("GET post with $expand=inReplyTo: %s", r.body)
	}
	// Without $expand the navigation property stays out.
	r = f.do(request{path: thread + "/posts/" + all[2].ID})
	if _, present := r.object(t)["inReplyTo"]; present {
		t.Errorf("inReplyTo returned without $expand: %s", r.body)
	}
	r = f.do(request{path: thread + "/posts/" + all[2].ID + "?$expand=inReplyTo($select=id)"})
	wantError(t, r, http.StatusBadRequest, "BadRequest")
}

func TestSeedReplyAnswersTheNewestPost(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	c, err := f.srv.SeedConversation(f.team.ID, "Seeded", ItemBody{ContentType: "text", Content: "first"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	tid := c.ThreadIDs[0]
	for _, content := range []string{"second", "third"} {
		if _, err := f.srv.SeedReply(f.team.ID, tid, ItemBody{ContentType: "text", Content: content}, nil, bob); err != nil {
			t.Fatal(err)
		}
	}
	posts := f.srv.Posts(f.team.ID, tid)
	if posts[0].InReplyTo != "" || posts[1].InReplyTo != posts[0].ID || posts[2].InReplyTo != posts[1].ID {
		t.Errorf("InReplyTo chain = %q, %q, %q", posts[0].InReplyTo, posts[1].InReplyTo, posts[2].InReplyTo)
	}
}
