package emulator

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func TestThreadRecipientsOnlyWithSelect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	body := newConversationBody("Recipients", "text", "hello")
	thread := body["threads"].([]any)[0].(map[string]any)
	thread["toRecipients"] = []any{map[string]any{"emailAddress": map[string]any{"name": "Adele Vance", "address": "AdeleV@contoso.com"}}}
	thread["ccRecipients"] = []any{map[string]any{"emailAddress": map[string]any{"name": "Lee Gu", "address": "LeeG@contoso.com"}}}
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: body})
	wantStatus(t, r, http.StatusCreated)
	m := r.object(t)
	cid := m["id"].(string)
	tid := m["threads"].([]any)[0].(map[string]any)["id"].(string)

	defaultKeys := []string{"@odata.context", "hasAttachments", "id", "isLocked", "lastDeliveredDateTime", "preview", "topic", "uniqueSenders"}
	tests := []struct {
		name     string
		path     string
		list     bool
		wantKeys []string
	}{
		{"get via conversation", "/conversations/" + cid + "/threads/" + tid, false, defaultKeys},
		{"get via group", "/threads/" + tid, false, defaultKeys},
		{"get with $select", "/threads/" + tid + "?$select=toRecipients,ccRecipients", false,
			[]string{"@odata.context", "ccRecipients", "id", "toRecipients"}},
		{"list via conversation", "/conversations/" + cid + "/threads", true, defaultKeys[1:]},
		{"list via group with $select", "/threads?$select=topic,toRecipients", true, []string{"id", "toRecipients", "topic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{path: "/groups/" + f.team.ID + tt.path})
			wantStatus(t, r, http.StatusOK)
			item := r.object(t)
			if tt.list {
				values := r.values(t)
				if len(values) != 1 {
					t.Fatalf("threads = %d, want 1", len(values))
				}
				item = values[0]
			}
			if got := keysOf(item); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys = %v, want %v", got, tt.wantKeys)
			}
			if to, ok := item["toRecipients"].([]any); ok {
				addr := to[0].(map[string]any)["emailAddress"].(map[string]any)["address"]
				if len(to) != 1 || addr != "AdeleV@contoso.com" {
					t.Errorf("toRecipients = %v", to)
				}
			}
			if cc, ok := item["ccRecipients"].([]any); ok && len(cc) != 1 {
				t.Errorf("ccRecipients = %v", cc)
			}
		})
	}
}

func TestReplyUpdatesComputedFields(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	cid, tid := f.createConversation(f.team.ID, "Lunch")
	created, _ := f.srv.Conversation(f.team.ID, cid)
	firstPost := f.srv.Posts(f.team.ID, tid)[0].ID

	clock.Advance(90 * time.Second)
	// The SDK writes the reply body with a capital "Post" key, an
	// @odata.type inside the post, and gzips it.
	sdkReply := `{"Post":{"@odata.type":"#microsoft.graph.post","body":{"contentType":"html","content":"<p>Count me in</p>"},
		"newParticipants":[{"emailAddress":{"name":"Lee Gu","address":"LeeG@contoso.com"}}]}}`
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid + "/reply",
		body: sdkReply, gzip: true, token: tokenOf(bobToken)})
	wantStatus(t, r, http.StatusAccepted)
	if len(r.body) != 0 {
		t.Errorf("202 with a body: %q", r.body)
	}

	conv := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid}).object(t)
	if got := conv["uniqueSenders"].([]any); len(got) != 2 || got[0] != alice.DisplayName || got[1] != bob.DisplayName {
		t.Errorf("uniqueSenders = %v, want [%s %s]", got, alice.DisplayName, bob.DisplayName)
	}
	if conv["preview"] != "Count me in" {
		t.Errorf("preview = %v, want the reply's text", conv["preview"])
	}
	if want := formatTime(created.LastDeliveredDateTime.Add(90 * time.Second)); conv["lastDeliveredDateTime"] != want {
		t.Errorf("lastDeliveredDateTime = %v, want %s", conv["lastDeliveredDateTime"], want)
	}

	clock.Advance(time.Minute)
	postReply := `{"post":{"body":{"contentType":"text","content":"Same here"}}}`
	r = f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/threads/" + tid + "/posts/" + firstPost + "/reply",
		body: postReply, token: tokenOf(bobToken)})
	wantStatus(t, r, http.StatusAccepted)

	posts := f.do(request{path: "/groups/" + f.team.ID + "/threads/" + tid + "/posts"}).values(t)
	if len(posts) != 3 {
		t.Fatalf("posts = %d, want 3", len(posts))
	}
	sender := func(p map[string]any) any {
		return p["sender"].(map[string]any)["emailAddress"].(map[string]any)["name"]
	}
	if sender(posts[0]) != alice.DisplayName || sender(posts[1]) != bob.DisplayName || sender(posts[2]) != bob.DisplayName {
		t.Errorf("posts are not oldest first: senders %v, %v, %v", sender(posts[0]), sender(posts[1]), sender(posts[2]))
	}
	thread := f.srv.Threads(f.team.ID, cid)[0]
	if thread.Preview != "Same here" || !slices.Equal(thread.UniqueSenders, []string{alice.DisplayName, bob.DisplayName}) {
		t.Errorf("thread computed fields = %+v", thread)
	}
	if want := []Recipient{{"Lee Gu", "LeeG@contoso.com"}}; !slices.Equal(thread.ToRecipients, want) {
		t.Errorf("thread toRecipients = %v, want the reply's new participant %v", thread.ToRecipients, want)
	}

	t.Run("invalid replies", func(t *testing.T) {
		tests := []struct {
			name       string
			path       string
			body       string
			wantStatus int
			wantCode   string
		}{
			{"no post", "/threads/" + tid + "/reply", `{}`, 400, "ErrorInvalidRequest"},
			{"post without body", "/threads/" + tid + "/reply", `{"post":{}}`, 400, "ErrorInvalidRequest"},
			{"unknown thread", "/threads/AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk=/reply", postReply, 404, "ErrorItemNotFound"},
			{"post of another thread", "/threads/" + tid + "/posts/AAMkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgBGAAA=/reply", postReply, 404, "ErrorItemNotFound"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + tt.path, body: tt.body})
				wantError(t, r, tt.wantStatus, tt.wantCode)
			})
		}
	})
}

func TestRequestBodyEncodings(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	path := "/groups/" + f.team.ID + "/conversations"
	valid := newConversationBody("Compressed", "text", "zipped")
	tests := []struct {
		name       string
		body       any
		gzip       bool
		encoding   string
		wantStatus int
		wantCode   string
	}{
		{"gzip", valid, true, "", 201, ""},
		{"x-gzip", valid, true, "x-gzip", 201, ""},
		{"identity", valid, false, "identity", 201, ""},
		{"labelled gzip but plain", valid, false, "gzip", 400, "BadRequest"},
		{"brotli is refused with 415", valid, false, "br", 415, "UnsupportedMediaType"},
		{"too large", make([]byte, maxRequestBodyBytes+1), false, "", 413, "RequestEntityTooLarge"},
		{"too large once gunzipped", make([]byte, maxRequestBodyBytes+1), true, "", 413, "RequestEntityTooLarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request{method: http.MethodPost, path: path, body: tt.body, gzip: tt.gzip}
			if tt.encoding != "" {
				req.header = map[string]string{"Content-Encoding": tt.encoding}
			}
			r := f.do(req)
			if tt.wantCode == "" {
				wantStatus(t, r, tt.wantStatus)
				return
			}
			wantError(t, r, tt.wantStatus, tt.wantCode)
		})
	}
}

func TestThreadLocking(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Lockable")
	threadPath := "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid
	reply := `{"post":{"body":{"contentType":"text","content":"hi"}}}`

	r := f.do(request{method: http.MethodPatch, path: threadPath, body: `{"isLocked":true,"topic":"ignored","@odata.type":"#microsoft.graph.conversationThread"}`})
	wantStatus(t, r, http.StatusOK)
	if string(r.body) != "{}" {
		t.Errorf("PATCH body = %s, want {}", r.body)
	}
	got := f.do(request{path: threadPath}).object(t)
	if got["isLocked"] != true || got["topic"] != "Lockable" {
		t.Errorf("after PATCH isLocked/topic = %v/%v, want true/Lockable", got["isLocked"], got["topic"])
	}
	wantError(t, f.do(request{method: http.MethodPost, path: threadPath + "/reply", body: reply}), 403, "ErrorAccessDenied")

	tests := []struct {
		name       string
		body       string
		wantStatus int
	}{
		{"isLocked of the wrong type", `{"isLocked":"yes"}`, 400},
		{"malformed JSON", `{"isLocked":`, 400},
		{"empty object changes nothing", `{}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, f.do(request{method: http.MethodPatch, path: threadPath, body: tt.body}), tt.wantStatus)
		})
	}

	wantStatus(t, f.do(request{method: http.MethodPatch, path: "/groups/" + f.team.ID + "/threads/" + tid, body: `{"isLocked":false}`}), http.StatusOK)
	wantStatus(t, f.do(request{method: http.MethodPost, path: threadPath + "/reply", body: reply}), http.StatusAccepted)
}

func TestCreateThread(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, first := f.createConversation(f.team.ID, "Parent")
	threadBody := map[string]any{
		"topic": "ignored: threads share the conversation's topic",
		"posts": []any{map[string]any{"@odata.type": "#microsoft.graph.post", "body": map[string]any{"contentType": "html", "content": "second thread"}}},
	}

	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads", body: threadBody})
	wantStatus(t, r, http.StatusCreated)
	m := r.object(t)
	if got := keysOf(m); !slices.Equal(got, []string{"@odata.context", "id"}) {
		t.Errorf("keys = %v, want [@odata.context id]", got)
	}
	second := m["id"].(string)
	threads := f.srv.Threads(f.team.ID, cid)
	if len(threads) != 2 || threads[0].ID != first || threads[1].ID != second || threads[1].Topic != "Parent" {
		t.Fatalf("threads = %+v", threads)
	}

	r = f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/threads", body: threadBody})
	wantStatus(t, r, http.StatusCreated)
	newThread := r.object(t)["id"].(string)
	convs := f.srv.Conversations(f.team.ID)
	if len(convs) != 2 || !slices.Equal(convs[1].ThreadIDs, []string{newThread}) {
		t.Fatalf("a thread posted to the group should start a new conversation; conversations = %+v", convs)
	}

	t.Run("group thread needs a topic", func(t *testing.T) {
		body := map[string]any{"posts": threadBody["posts"]}
		wantError(t, f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/threads", body: body}), 400, "ErrorInvalidRequest")
	})
	t.Run("thread needs a post", func(t *testing.T) {
		wantError(t, f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads", body: `{"posts":[]}`}), 400, "ErrorInvalidRequest")
	})
}

func TestDeleteThread(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, first := f.createConversation(f.team.ID, "Two threads")
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads",
		body: `{"posts":[{"body":{"content":"another"}}]}`})
	wantStatus(t, r, http.StatusCreated)
	second := r.object(t)["id"].(string)

	wantStatus(t, f.do(request{method: http.MethodDelete, path: "/groups/" + f.team.ID + "/threads/" + first}), http.StatusNoContent)
	if conv, ok := f.srv.Conversation(f.team.ID, cid); !ok || !slices.Equal(conv.ThreadIDs, []string{second}) {
		t.Fatalf("after deleting one of two threads: conversation = %+v, %v", conv, ok)
	}
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + first}), 404, "ErrorItemNotFound")

	wantStatus(t, f.do(request{method: http.MethodDelete, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + second}), http.StatusNoContent)
	if _, ok := f.srv.Conversation(f.team.ID, cid); ok {
		t.Fatal("deleting the last thread should remove the conversation")
	}
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid}), 404, "ErrorItemNotFound")
}

func TestThreadMustBelongToConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cidA, _ := f.createConversation(f.team.ID, "A")
	_, tidB := f.createConversation(f.team.ID, "B")
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cidA + "/threads/" + tidB}), 404, "ErrorItemNotFound")
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + tidB}), http.StatusOK)
}

func TestPostRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Posts")
	pid := f.srv.Posts(f.team.ID, tid)[0].ID
	posts := "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid + "/posts"
	forward := `{"comment":"FYI","toRecipients":[{"emailAddress":{"name":"Adele","address":"AdeleV@contoso.com"}}]}`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"get post", "GET", posts + "/" + pid, "", 200, ""},
		{"get post via group", "GET", "/groups/" + f.team.ID + "/threads/" + tid + "/posts/" + pid, "", 200, ""},
		{"forward", "POST", posts + "/" + pid + "/forward", forward, 200, ""},
		{"forward without recipients", "POST", posts + "/" + pid + "/forward", `{"comment":"FYI"}`, 400, "ErrorInvalidRequest"},
		{"create post directly", "POST", posts, `{"body":{"content":"x"}}`, 405, "ErrorInvalidRequest"},
		{"patch post", "PATCH", posts + "/" + pid, `{"body":{"content":"x"}}`, 405, "ErrorInvalidRequest"},
		{"delete post", "DELETE", posts + "/" + pid, "", 405, "ErrorInvalidRequest"},
		{"put conversation", "PUT", "/groups/" + f.team.ID + "/conversations/" + cid, "{}", 405, "ErrorInvalidRequest"},
		{"patch group", "PATCH", "/groups/" + f.team.ID, "{}", 405, "Request_BadRequest"},
		{"unknown post", "GET", posts + "/AAMkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgBGAAA=", "", 404, "ErrorItemNotFound"},
		{"malformed post id", "GET", posts + "/not*an*id", "", 400, "ErrorInvalidIdMalformed"},
		{"unknown segment", "GET", posts + "/" + pid + "/attachments", "", 400, "BadRequest"},
		{"segment after reply", "POST", posts + "/" + pid + "/reply/again", "", 400, "BadRequest"},
		{"unknown top-level segment", "GET", "/users", "", 400, "BadRequest"},
		{"other version", "GET", f.hs.URL + "/beta/groups", "", 400, "BadRequest"},
		{"root", "GET", f.hs.URL + "/", "", 400, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := f.do(request{method: tt.method, path: tt.path, body: body})
			if tt.wantCode == "" {
				wantStatus(t, r, tt.wantStatus)
				return
			}
			wantError(t, r, tt.wantStatus, tt.wantCode)
		})
	}

	t.Run("post properties", func(t *testing.T) {
		t.Parallel()
		m := f.do(request{path: posts + "/" + pid}).object(t)
		want := []string{"@odata.context", "@odata.etag", "body", "categories", "changeKey", "conversationId", "conversationThreadId",
			"createdDateTime", "from", "hasAttachments", "id", "lastModifiedDateTime", "newParticipants", "receivedDateTime", "sender"}
		if got := keysOf(m); !slices.Equal(got, want) {
			t.Errorf("keys = %v, want %v", got, want)
		}
		if m["@odata.etag"] != `W/"`+m["changeKey"].(string)+`"` {
			t.Errorf("@odata.etag = %v does not wrap changeKey %v", m["@odata.etag"], m["changeKey"])
		}
		selected := f.do(request{path: posts + "/" + pid + "?$select=body"}).object(t)
		if got := keysOf(selected); !slices.Equal(got, []string{"@odata.context", "@odata.etag", "body", "id"}) {
			t.Errorf("$select=body keys = %v", got)
		}
		wantError(t, f.do(request{path: posts + "?$select=nope"}), 400, "RequestBroker--ParseUri")
	})
}
