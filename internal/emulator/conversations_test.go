package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCreateConversationReturnsOnlyIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Seed: 7})
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations",
		body: newConversationBody("Take your wellness days", "html", "Contoso cares about you")})
	wantStatus(t, r, http.StatusCreated)
	m := r.object(t)

	if got, want := keysOf(m), []string{"@odata.context", "id", "threads", "threads@odata.context"}; !slices.Equal(got, want) {
		t.Fatalf("keys = %v, want exactly %v", got, want)
	}
	threads := m["threads"].([]any)
	if len(threads) != 1 {
		t.Fatalf("threads = %v, want one", threads)
	}
	thread := threads[0].(map[string]any)
	if got := keysOf(thread); !slices.Equal(got, []string{"id"}) {
		t.Fatalf("thread keys = %v, want [id]", got)
	}
	cid, tid := m["id"].(string), thread["id"].(string)
	if !strings.HasPrefix(cid, "AAQkA") || !strings.HasSuffix(cid, "=") || strings.HasSuffix(cid, "==") {
		t.Errorf("conversation id %q should start AAQkA and end in a single '='", cid)
	}
	if !strings.HasPrefix(tid, "AAQkA") || !strings.HasSuffix(tid, "==") {
		t.Errorf("thread id %q should start AAQkA and end in '=='", tid)
	}
	wantContext := f.base + "/$metadata#groups('" + f.team.ID + "')/conversations('" + strings.ReplaceAll(cid, "=", "%3D") + "')/threads"
	if m["threads@odata.context"] != wantContext {
		t.Errorf("threads@odata.context = %v, want %s", m["threads@odata.context"], wantContext)
	}
	if got := r.header.Get("Content-Type"); got != successContentType {
		t.Errorf("Content-Type = %q, want %q", got, successContentType)
	}

	stored, ok := f.srv.Conversation(f.team.ID, cid)
	if !ok {
		t.Fatal("the created conversation is not in the store")
	}
	if stored.Topic != "Take your wellness days" || !slices.Equal(stored.ThreadIDs, []string{tid}) ||
		!slices.Equal(stored.UniqueSenders, []string{alice.DisplayName}) || stored.Preview != "Contoso cares about you" || stored.HasAttachments {
		t.Errorf("stored conversation = %+v", stored)
	}
	posts := f.srv.Posts(f.team.ID, tid)
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	p := posts[0]
	if !strings.HasPrefix(p.ID, "AAMkA") || p.From != (Recipient{alice.DisplayName, alice.Address}) || p.Sender != p.From ||
		p.ConversationID != cid || p.ThreadID != tid || p.ChangeKey == "" || p.ReceivedDateTime.IsZero() ||
		!p.CreatedDateTime.Equal(p.ReceivedDateTime) || !p.LastModifiedDateTime.Equal(p.ReceivedDateTime) {
		t.Errorf("stored post = %+v", p)
	}
}

func TestCreateConversationIgnoresODataTypeAndUnknownFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	body := `{"@odata.type":"#microsoft.graph.conversation","topic":"t","futureField":{"x":[1,2]},
		"threads":[{"@odata.type":"#microsoft.graph.conversationThread","posts":[{"@odata.type":"#microsoft.graph.post",
		"body":{"@odata.type":"#microsoft.graph.itemBody","contentType":"text","content":"hi"},"importance":"high",
		"newParticipants":[{"@odata.type":"#microsoft.graph.recipient","emailAddress":{"name":"Adele Vance","address":"AdeleV@contoso.com"}}]}]}]}`
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: body})
	wantStatus(t, r, http.StatusCreated)
	tid := r.object(t)["threads"].([]any)[0].(map[string]any)["id"].(string)
	posts := f.srv.Posts(f.team.ID, tid)
	if want := []Recipient{{"Adele Vance", "AdeleV@contoso.com"}}; len(posts) != 1 || !slices.Equal(posts[0].NewParticipants, want) {
		t.Errorf("posts = %+v, want one with newParticipants %v", posts, want)
	}
}

func TestCreateConversationValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	post := `{"body":{"contentType":"html","content":"x"}}`
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"no threads", `{"topic":"t"}`, 400, "ErrorInvalidRequest"},
		{"empty threads", `{"topic":"t","threads":[]}`, 400, "ErrorInvalidRequest"},
		{"null thread", `{"topic":"t","threads":[null]}`, 400, "ErrorInvalidRequest"},
		{"no posts", `{"topic":"t","threads":[{}]}`, 400, "ErrorInvalidRequest"},
		{"post without body", `{"topic":"t","threads":[{"posts":[{}]}]}`, 400, "ErrorInvalidRequest"},
		{"null body", `{"topic":"t","threads":[{"posts":[{"body":null}]}]}`, 400, "ErrorInvalidRequest"},
		{"two threads", `{"topic":"t","threads":[{"posts":[` + post + `]},{"posts":[` + post + `]}]}`, 400, "ErrorInvalidRequest"},
		{"missing topic", `{"threads":[{"posts":[` + post + `]}]}`, 400, "ErrorInvalidRequest"},
		{"blank topic", `{"topic":"  ","threads":[{"posts":[` + post + `]}]}`, 400, "ErrorInvalidRequest"},
		{"topic of the wrong type", `{"topic":5,"threads":[{"posts":[` + post + `]}]}`, 400, "BadRequest"},
		{"unknown content type", `{"topic":"t","threads":[{"posts":[{"body":{"contentType":"markdown","content":"x"}}]}]}`, 400, "BadRequest"},
		{"recipient without address", `{"topic":"t","threads":[{"posts":[{"body":{"content":"x"},"newParticipants":[{"emailAddress":{"name":"n"}}]}]}]}`, 400, "ErrorInvalidRecipients"},
		{"malformed JSON", `{"topic":"t",`, 400, "BadRequest"},
		{"trailing garbage", `{"topic":"t"} {}`, 400, "BadRequest"},
		{"JSON array", `[]`, 400, "BadRequest"},
		{"empty body", ``, 400, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: []byte(tt.body)})
			wantError(t, r, tt.wantStatus, tt.wantCode)
		})
	}
}

func TestGetConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, _ := f.createConversation(f.team.ID, "Quarterly review")
	path := "/groups/" + f.team.ID + "/conversations/" + cid
	defaultKeys := []string{"@odata.context", "hasAttachments", "id", "lastDeliveredDateTime", "preview", "topic", "uniqueSenders"}
	tests := []struct {
		name     string
		query    string
		wantKeys []string
	}{
		{"default properties", "", defaultKeys},
		{"$select", "?$select=topic,preview", []string{"@odata.context", "id", "preview", "topic"}},
		{"percent-encoded $select", "?%24select=topic", []string{"@odata.context", "id", "topic"}},
		{"$select without the dollar", "?select=topic", []string{"@odata.context", "id", "topic"}},
		{"case-insensitive names", "?$select=Topic,HASATTACHMENTS", []string{"@odata.context", "hasAttachments", "id", "topic"}},
		{"$select=id only", "?$select=id", []string{"@odata.context", "id"}},
		{"$select=*", "?$select=*", defaultKeys},
		{"empty $select", "?$select=", defaultKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{path: path + tt.query})
			wantStatus(t, r, http.StatusOK)
			m := r.object(t)
			if got := keysOf(m); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys = %v, want %v", got, tt.wantKeys)
			}
			if m["id"] != cid {
				t.Errorf("id = %v, want %s", m["id"], cid)
			}
			if topic, ok := m["topic"]; ok && topic != "Quarterly review" {
				t.Errorf("topic = %v", topic)
			}
		})
	}

	t.Run("computed fields", func(t *testing.T) {
		t.Parallel()
		m := f.do(request{path: path}).object(t)
		if m["preview"] != "Quarterly review" || m["hasAttachments"] != false {
			t.Errorf("preview/hasAttachments = %v/%v", m["preview"], m["hasAttachments"])
		}
		if senders := m["uniqueSenders"].([]any); len(senders) != 1 || senders[0] != alice.DisplayName {
			t.Errorf("uniqueSenders = %v", senders)
		}
		if s, _ := m["lastDeliveredDateTime"].(string); len(s) != len("2021-08-02T11:42:38Z") || !strings.HasSuffix(s, "Z") {
			t.Errorf("lastDeliveredDateTime = %q, want second precision UTC", s)
		}
		wantContext := f.base + "/$metadata#groups('" + f.team.ID + "')/conversations/$entity"
		if m["@odata.context"] != wantContext {
			t.Errorf("@odata.context = %v, want %s", m["@odata.context"], wantContext)
		}
	})

	t.Run("unknown $select property", func(t *testing.T) {
		t.Parallel()
		e := wantError(t, f.do(request{path: path + "?$select=topic,colour"}), 400, "RequestBroker--ParseUri")
		if want := "Could not find a property named 'colour' on type 'microsoft.graph.conversation'."; e["message"] != want {
			t.Errorf("message = %v, want %q", e["message"], want)
		}
	})

	t.Run("threads are not a selectable property", func(t *testing.T) {
		t.Parallel()
		wantError(t, f.do(request{path: path + "?$select=threads"}), 400, "RequestBroker--ParseUri")
	})
}

func TestConversationIDForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, _ := f.createConversation(f.team.ID, "Ids")
	if !strings.ContainsAny(strings.TrimRight(cid, "="), "-_") {
		t.Fatalf("id %q has no '-' or '_'; the generator must always produce one", cid)
	}
	escapeAll := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '=' || s[i] == '-' || s[i] == '_' {
				b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[s[i]>>4])+string("0123456789abcdef"[s[i]&15])))
				continue
			}
			b.WriteByte(s[i])
		}
		return b.String()
	}
	swapCase := func(s string) string {
		for i, r := range s {
			if 'a' <= r && r <= 'z' {
				return s[:i] + strings.ToUpper(string(r)) + s[i+1:]
			}
		}
		return s
	}
	unknown := "AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="
	tests := []struct {
		name       string
		segment    string
		wantStatus int
		wantCode   string
	}{
		{"raw '='", cid, 200, ""},
		{"'=' as %3D", strings.ReplaceAll(cid, "=", "%3D"), 200, ""},
		{"lowercase %3d", strings.ReplaceAll(cid, "=", "%3d"), 200, ""},
		{"'-', '_' and '=' all escaped", escapeAll(cid), 200, ""},
		{"trailing slash", cid + "/", 200, ""},
		{"ids are case-sensitive", swapCase(cid), 404, "ErrorItemNotFound"},
		{"well-formed but unknown", unknown, 404, "ErrorItemNotFound"},
		{"padding missing", strings.TrimRight(cid, "="), 400, "ErrorInvalidIdMalformed"},
		{"too much padding", cid + "===", 400, "ErrorInvalidIdMalformed"},
		{"standard base64 alphabet", strings.ReplaceAll(strings.ReplaceAll(cid, "-", "+"), "_", "%2F"), 400, "ErrorInvalidIdMalformed"},
		{"too short", "AAAA", 400, "ErrorInvalidIdMalformed"},
		{"not base64", "not-an-id!", 400, "ErrorInvalidIdMalformed"},
		{"newline inside", "AAQk%0AAAAAAAA=", 400, "ErrorInvalidIdMalformed"},
		{"empty segment", "%20", 400, "ErrorInvalidIdMalformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + tt.segment})
			if tt.wantCode == "" {
				wantStatus(t, r, tt.wantStatus)
				if id := r.object(t)["id"]; id != cid {
					t.Errorf("id = %v, want %s", id, cid)
				}
				return
			}
			wantError(t, r, tt.wantStatus, tt.wantCode)
		})
	}
}

func TestGroupMailboxErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Mailbox")
	const unknownGroup = "0f5c2d7e-1111-4222-8333-944455556666"
	tests := []struct {
		name        string
		method      string
		path        string
		wantStatus  int
		wantCode    string
		wantMessage string
	}{
		{"list on security group", "GET", "/groups/" + f.security.ID + "/conversations", 404, "MailboxNotEnabledForRESTAPI",
			"The mailbox is either inactive, soft-deleted, or is hosted on-premise."},
		{"create on security group", "POST", "/groups/" + f.security.ID + "/conversations", 404, "MailboxNotEnabledForRESTAPI", ""},
		{"get conversation on security group", "GET", "/groups/" + f.security.ID + "/conversations/" + cid, 404, "MailboxNotEnabledForRESTAPI", ""},
		{"threads on security group", "GET", "/groups/" + f.security.ID + "/threads/" + tid, 404, "MailboxNotEnabledForRESTAPI", ""},
		{"unknown group", "GET", "/groups/" + unknownGroup + "/conversations", 404, "Request_ResourceNotFound",
			"Resource '" + unknownGroup + "' does not exist or one of its queried reference-property objects are not present."},
		{"unknown group get", "GET", "/groups/" + unknownGroup, 404, "Request_ResourceNotFound", ""},
		{"group id that is not a GUID", "GET", "/groups/not-a-guid/conversations", 400, "Request_BadRequest", "Invalid object identifier 'not-a-guid'."},
		{"conversation of another group", "GET", "/groups/" + f.other.ID + "/conversations/" + cid, 404, "ErrorItemNotFound", ""},
		{"uppercase group id works", "GET", "/groups/" + strings.ToUpper(f.team.ID) + "/conversations/" + cid, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{method: tt.method, path: tt.path, body: newConversationBody("x", "text", "y")})
			if tt.wantCode == "" {
				wantStatus(t, r, tt.wantStatus)
				return
			}
			e := wantError(t, r, tt.wantStatus, tt.wantCode)
			if tt.wantMessage != "" && e["message"] != tt.wantMessage {
				t.Errorf("message = %v, want %q", e["message"], tt.wantMessage)
			}
		})
	}
}

func TestAppOnlyPrincipal(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Robots welcome")
	group := "/groups/" + f.team.ID
	reply := map[string]any{"post": map[string]any{"body": map[string]any{"contentType": "text", "content": "beep"}}}
	pid := f.srv.Posts(f.team.ID, tid)[0].ID
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
	}{
		{"create conversation", "POST", group + "/conversations", newConversationBody("x", "text", "y"), 403},
		{"create thread in conversation", "POST", group + "/conversations/" + cid + "/threads",
			map[string]any{"posts": []any{map[string]any{"body": map[string]any{"content": "y"}}}}, 403},
		{"create thread in group", "POST", group + "/threads",
			map[string]any{"topic": "x", "posts": []any{map[string]any{"body": map[string]any{"content": "y"}}}}, 403},
		{"reply to thread", "POST", group + "/threads/" + tid + "/reply", reply, 403},
		{"reply to post", "POST", group + "/threads/" + tid + "/posts/" + pid + "/reply", reply, 403},
		{"list conversations", "GET", group + "/conversations", nil, 200},
		{"get conversation", "GET", group + "/conversations/" + cid, nil, 200},
		{"list posts", "GET", group + "/threads/" + tid + "/posts", nil, 200},
		{"lock thread", "PATCH", group + "/threads/" + tid, map[string]any{"isLocked": false}, 200},
		{"forward post", "POST", group + "/threads/" + tid + "/posts/" + pid + "/forward",
			map[string]any{"toRecipients": []any{map[string]any{"emailAddress": map[string]any{"address": "x@contoso.example"}}}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{method: tt.method, path: tt.path, body: tt.body, token: tokenOf(appToken)})
			if tt.wantStatus == 403 {
				e := wantError(t, r, 403, "ErrorAccessDenied")
				if e["message"] != "Access is denied. Check credentials and try again." {
					t.Errorf("message = %v", e["message"])
				}
				return
			}
			wantStatus(t, r, tt.wantStatus)
		})
	}

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		other, _ := f.createConversation(f.team.ID, "Delete me as app")
		wantStatus(t, f.do(request{method: "DELETE", path: group + "/conversations/" + other, token: tokenOf(appToken)}), http.StatusNoContent)
	})
}

func TestPatchConversationIsNotSupported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, _ := f.createConversation(f.team.ID, "Immutable")
	r := f.do(request{method: http.MethodPatch, path: "/groups/" + f.team.ID + "/conversations/" + cid, body: `{"topic":"changed"}`})
	e := wantError(t, r, http.StatusMethodNotAllowed, "ErrorInvalidRequest")
	if e["message"] != "The OData request is not supported." {
		t.Errorf("message = %v", e["message"])
	}
	if got, _ := f.srv.Conversation(f.team.ID, cid); got.Topic != "Immutable" {
		t.Errorf("topic changed to %q", got.Topic)
	}
	if got := f.srv.Counters()["conversations.update"]; got != 1 {
		t.Errorf("conversations.update counter = %d, want 1", got)
	}
}

func TestDeleteConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, tid := f.createConversation(f.team.ID, "Short-lived")
	keep, _ := f.createConversation(f.team.ID, "Stays")
	path := "/groups/" + f.team.ID + "/conversations/" + cid

	r := f.do(request{method: http.MethodDelete, path: path})
	wantStatus(t, r, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Errorf("204 with a body: %q", r.body)
	}
	wantError(t, f.do(request{path: path}), 404, "ErrorItemNotFound")
	wantError(t, f.do(request{method: http.MethodDelete, path: path}), 404, "ErrorItemNotFound")
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + tid}), 404, "ErrorItemNotFound")
	if got := f.srv.Threads(f.team.ID, cid); len(got) != 0 {
		t.Errorf("threads survived the delete: %+v", got)
	}
	if got := f.srv.Posts(f.team.ID, tid); len(got) != 0 {
		t.Errorf("posts survived the delete: %+v", got)
	}
	if _, ok := f.srv.Conversation(f.team.ID, keep); !ok {
		t.Error("deleting one conversation removed another")
	}

	t.Run("deleted outside Terraform", func(t *testing.T) {
		if !f.srv.DeleteConversation(f.team.ID, keep) {
			t.Fatal("DeleteConversation reported false for an existing conversation")
		}
		if f.srv.DeleteConversation(f.team.ID, keep) {
			t.Fatal("DeleteConversation reported true twice")
		}
		wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + keep}), 404, "ErrorItemNotFound")
	})
}

func TestHTMLRewrapAndPreview(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	long := strings.Repeat("é", 300)
	tests := []struct {
		name        string
		contentType string
		content     string
		wantStored  string
		wantPreview string
	}{
		{
			name:        "html is wrapped verbatim and stripped for the preview",
			contentType: "html",
			content:     "<p class=\"a>b\">Hello&nbsp;<b>world</b></p>\n\n<p>Second   line &lt;3 &amp; more</p><!-- hidden -->",
			wantStored:  htmlWrapPrefix + "<p class=\"a>b\">Hello&nbsp;<b>world</b></p>\n\n<p>Second   line &lt;3 &amp; more</p><!-- hidden -->" + htmlWrapSuffix,
			wantPreview: "Hello world Second line <3 & more",
		},
		{
			name:        "HTML content type in capitals",
			contentType: "HTML",
			content:     "<div>x</div>",
			wantStored:  htmlWrapPrefix + "<div>x</div>" + htmlWrapSuffix,
			wantPreview: "x",
		},
		{
			name:        "text is stored unchanged",
			contentType: "text",
			content:     "  Plain\ttext <b>not a tag</b>\n\n&amp; ",
			wantStored:  "  Plain\ttext <b>not a tag</b>\n\n&amp; ",
			wantPreview: "Plain text <b>not a tag</b> &amp;",
		},
		{
			name:        "preview is cut to 255 runes",
			contentType: "html",
			content:     "<p>" + long + "</p>",
			wantStored:  htmlWrapPrefix + "<p>" + long + "</p>" + htmlWrapSuffix,
			wantPreview: strings.Repeat("é", 255),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: newConversationBody(tt.name, tt.contentType, tt.content)})
			wantStatus(t, r, http.StatusCreated)
			m := r.object(t)
			cid := m["id"].(string)
			tid := m["threads"].([]any)[0].(map[string]any)["id"].(string)

			posts := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + tid + "/posts"}).values(t)
			if len(posts) != 1 {
				t.Fatalf("posts = %d, want 1", len(posts))
			}
			body := posts[0]["body"].(map[string]any)
			if body["content"] != tt.wantStored {
				t.Errorf("stored content = %q, want %q", body["content"], tt.wantStored)
			}
			if want := strings.ToLower(tt.contentType); body["contentType"] != want {
				t.Errorf("contentType = %v, want %s", body["contentType"], want)
			}
			if html, _ := body["content"].(string); tt.contentType != "text" &&
				strings.TrimSuffix(strings.TrimPrefix(html, htmlWrapPrefix), htmlWrapSuffix) != tt.content {
				t.Errorf("unwrapping the stored body does not give back the content sent")
			}
			conv := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid}).object(t)
			if conv["preview"] != tt.wantPreview {
				t.Errorf("preview = %q, want %q", conv["preview"], tt.wantPreview)
			}
			if n := utf8.RuneCountInString(conv["preview"].(string)); n > maxPreviewRunes {
				t.Errorf("preview has %d runes", n)
			}
		})
	}
}

func TestPreviewOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body ItemBody
		want string
	}{
		{"docs sample runs paragraphs together", ItemBody{"html", "<p>Welcome to the Ask HR group.</p><p>Use the group to</p>"}, "Welcome to the Ask HR group.Use the group to"},
		{"lone less-than is text", ItemBody{"html", "a < b"}, "a < b"},
		{"unclosed tag is dropped", ItemBody{"html", "ok <b"}, "ok"},
		{"unclosed comment hides the rest", ItemBody{"html", "ok <!-- never closed"}, "ok"},
		{"apostrophe in a tag does not open a quote", ItemBody{"html", "<p don't>x</p>y"}, "xy"},
		{"numeric entities", ItemBody{"html", "&#72;&#x69;"}, "Hi"},
		{"whitespace only", ItemBody{"text", " \n\t "}, ""},
		{"empty", ItemBody{"html", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := previewOf(tt.body); got != tt.want {
				t.Errorf("previewOf(%q) = %q, want %q", tt.body.Content, got, tt.want)
			}
		})
	}
}
