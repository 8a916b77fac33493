package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const testExtensionName = "Com.Contoso.CreateKey"

// stampedConversationBody is a create whose first post carries an open
// extension and an extended property, as the docs' examples write them.
func stampedConversationBody(topic, key string) map[string]any {
	body := newConversationBody(topic, "html", "<p>"+topic+"</p>")
	post := body["threads"].([]any)[0].(map[string]any)["posts"].([]any)[0].(map[string]any)
	post["extensions"] = []any{map[string]any{
		"@odata.type":   "microsoft.graph.openTypeExtension",
		"extensionName": testExtensionName,
		"createKey":     key,
		"attempt":       1,
	}}
	post["singleValueExtendedProperties"] = []any{map[string]any{
		"id": "String {66f5a359-4659-4830-9070-00040ec6ac6e} Name CreateKey", "value": key,
	}}
	return body
}

func expandQuery(expand string) string { return "?$expand=" + url.QueryEscape(expand) }

func TestStampsAreReadBackOnlyWhenExpanded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: stampedConversationBody("Stamped", "key-1")})
	wantStatus(t, r, http.StatusCreated)
	m := r.object(t)
	if _, ok := m["extensions"]; ok {
		t.Fatalf("the create's answer must not carry the stamp: %s", r.body)
	}
	threadID := m["threads"].([]any)[0].(map[string]any)["id"].(string)
	posts := "/groups/" + f.team.ID + "/threads/" + threadID + "/posts"

	plain := f.do(request{path: posts})
	wantStatus(t, plain, http.StatusOK)
	first := plain.values(t)[0]
	if _, ok := first["extensions"]; ok {
		t.Fatalf("a post read without $expand shows its extensions: %v", first)
	}
	postID := first["id"].(string)

	tests := []struct {
		name, path string
		wantIDs    []string // extension ids expected in "extensions"
	}{
		{"list, by name", posts + expandQuery("extensions($filter=id eq '"+testExtensionName+"')"), []string{openExtensionIDPrefix + testExtensionName}},
		{"list, by qualified name", posts + expandQuery("extensions($filter=id eq '"+openExtensionIDPrefix+testExtensionName+"')"), []string{openExtensionIDPrefix + testExtensionName}},
		{"list, other name", posts + expandQuery("extensions($filter=id eq 'Com.Contoso.Other')"), []string{}},
		{"list, all", posts + expandQuery("extensions"), []string{openExtensionIDPrefix + testExtensionName}},
		{"get, by name", posts + "/" + postID + expandQuery("Extensions($filter=id eq '"+testExtensionName+"')"), []string{openExtensionIDPrefix + testExtensionName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(request{path: tt.path})
			wantStatus(t, r, http.StatusOK)
			post := r.object(t)
			if values, ok := post["value"].([]any); ok {
				post = values[0].(map[string]any)
			}
			extensions, ok := post["extensions"].([]any)
			if !ok {
				t.Fatalf("no extensions array: %s", r.body)
			}
			var ids []string
			for _, e := range extensions {
				ext := e.(map[string]any)
				ids = append(ids, ext["id"].(string))
				if ext["extensionName"] != testExtensionName || ext["createKey"] != "key-1" || ext["attempt"] != 1.0 ||
					ext["@odata.type"] != "#microsoft.graph.openTypeExtension" {
					t.Errorf("extension read back as %v", ext)
				}
			}
			if !slices.Equal(ids, tt.wantIDs) && !(len(ids) == 0 && len(tt.wantIDs) == 0) {
				t.Fatalf("extension ids = %v, want %v", ids, tt.wantIDs)
			}
		})
	}

	t.Run("extension by path", func(t *testing.T) {
		r := f.do(request{path: posts + "/" + postID + "/extensions/" + testExtensionName})
		wantStatus(t, r, http.StatusOK)
		if ext := r.object(t); ext["createKey"] != "key-1" {
			t.Fatalf("extension = %v", ext)
		}
		wantError(t, f.do(request{path: posts + "/" + postID + "/extensions/Com.Contoso.Other"}), http.StatusNotFound, "ErrorItemNotFound")
	})
	t.Run("extended property", func(t *testing.T) {
		id := "String {66f5a359-4659-4830-9070-00040EC6AC6E} Name CreateKey"
		r := f.do(request{path: posts + expandQuery("singleValueExtendedProperties($filter=id eq '"+id+"')")})
		wantStatus(t, r, http.StatusOK)
		props, _ := r.values(t)[0]["singleValueExtendedProperties"].([]any)
		if len(props) != 1 || props[0].(map[string]any)["value"] != "key-1" {
			t.Fatalf("extended property read back as %s", r.body)
		}
		r = f.do(request{path: posts + expandQuery("singleValueExtendedProperties($filter=id eq 'String {66f5a359-4659-4830-9070-00040ec6ac6e} Name createkey')")})
		if props, _ := r.values(t)[0]["singleValueExtendedProperties"].([]any); len(props) != 0 {
			t.Fatalf("the property name is case-sensitive, yet %s matched", r.body)
		}
		wantStatus(t, f.do(request{path: posts + expandQuery("singleValueExtendedProperties")}), http.StatusBadRequest)
	})
	t.Run("snapshot", func(t *testing.T) {
		stored := f.srv.Posts(f.team.ID, threadID)
		if len(stored) != 1 || len(stored[0].Extensions) != 1 || stored[0].Extensions[0].Data["createKey"] != "key-1" ||
			len(stored[0].ExtendedProperties) != 1 {
			t.Fatalf("stored post = %+v", stored)
		}
	})
}

func TestExistingPostsTakeNoStamp(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	_, threadID := f.createConversation(f.team.ID, "Plain")
	postID := f.srv.Posts(f.team.ID, threadID)[0].ID
	post := "/groups/" + f.team.ID + "/threads/" + threadID + "/posts/" + postID
	extension := map[string]any{"@odata.type": "microsoft.graph.openTypeExtension", "extensionName": testExtensionName, "createKey": "late"}
	wantError(t, f.do(request{method: http.MethodPost, path: post + "/extensions", body: extension}), http.StatusMethodNotAllowed, "ErrorInvalidRequest")
	property := map[string]any{"singleValueExtendedProperties": []any{map[string]any{"id": "String {66f5a359-4659-4830-9070-00040ec6ac6e} Name CreateKey", "value": "late"}}}
	wantError(t, f.do(request{method: http.MethodPatch, path: post, body: property}), http.StatusMethodNotAllowed, "ErrorInvalidRequest")
	if stored := f.srv.Posts(f.team.ID, threadID)[0]; len(stored.Extensions) != 0 || len(stored.ExtendedProperties) != 0 {
		t.Fatalf("an existing post gained a stamp: %+v", stored)
	}
}

func TestRefuseCreateStamps(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{RefuseCreateStamps: true})
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: stampedConversationBody("Refused", "k")})
	e := wantError(t, r, http.StatusBadRequest, "RequestBodyRead")
	if msg, _ := e["message"].(string); msg == "" || !strings.Contains(msg, "'extensions'") {
		t.Fatalf("the refusal must name the property: %v", e)
	}
	if n := len(f.srv.Conversations(f.team.ID)); n != 0 {
		t.Fatalf("a refused create stored %d conversations", n)
	}
	cid, _ := f.createConversation(f.team.ID, "Unstamped")
	thread := map[string]any{"posts": []any{map[string]any{
		"body":       map[string]any{"contentType": "text", "content": "x"},
		"extensions": []any{map[string]any{"@odata.type": "#microsoft.graph.openTypeExtension", "extensionName": testExtensionName}},
	}}}
	wantError(t, f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads", body: thread}), http.StatusBadRequest, "RequestBodyRead")

	f.srv.SetRefuseCreateStamps(false)
	wantStatus(t, f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads", body: thread}), http.StatusCreated)
	if got := f.srv.Counters()["stamps.refused"]; got != 2 {
		t.Fatalf("stamps.refused = %d, want 2", got)
	}
}

func TestMalformedStamps(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	tests := []struct {
		name      string
		extension any
	}{
		{"no type", map[string]any{"extensionName": testExtensionName}},
		{"other type", map[string]any{"@odata.type": "#microsoft.graph.schemaExtension", "extensionName": testExtensionName}},
		{"no name", map[string]any{"@odata.type": "#microsoft.graph.openTypeExtension"}},
		{"not an object", "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := newConversationBody("Malformed", "text", "x")
			post := body["threads"].([]any)[0].(map[string]any)["posts"].([]any)[0].(map[string]any)
			post["extensions"] = []any{tt.extension}
			wantStatus(t, f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: body}), http.StatusBadRequest)
		})
	}
	if n := len(f.srv.Conversations(f.team.ID)); n != 0 {
		t.Fatalf("malformed creates stored %d conversations", n)
	}
}

// A thread added to a conversation lags like a new conversation, and
// HideThread hides one again.
func TestThreadVisibility(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	cid, first := f.createConversation(f.team.ID, "Visible")
	f.srv.SetInvisibleFor(5 * time.Second)
	thread := map[string]any{"posts": []any{map[string]any{"body": map[string]any{"contentType": "text", "content": "late"}}}}
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads", body: thread})
	wantStatus(t, r, http.StatusCreated)
	second := r.object(t)["id"].(string)

	listed := func() []string {
		var ids []string
		for _, v := range f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads"}).values(t) {
			ids = append(ids, v["id"].(string))
		}
		return ids
	}
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + second}), http.StatusNotFound, "ErrorItemNotFound")
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + second + "/posts"}), http.StatusNotFound, "ErrorItemNotFound")
	if got := listed(); !slices.Equal(got, []string{first}) {
		t.Fatalf("listed threads while the new one is invisible: %v", got)
	}
	clock.Advance(5 * time.Second)
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/threads/" + second}), http.StatusOK)

	if !f.srv.HideThread(f.team.ID, first, time.Minute) {
		t.Fatal("HideThread did not find the thread")
	}
	wantError(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + first}), http.StatusNotFound, "ErrorItemNotFound")
	if got := listed(); !slices.Equal(got, []string{second}) {
		t.Fatalf("listed threads while the first is hidden: %v", got)
	}
	clock.Advance(time.Minute)
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid + "/threads/" + first}), http.StatusOK)
	if f.srv.HideThread(f.team.ID, "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=", time.Minute) {
		t.Fatal("HideThread found a thread that does not exist")
	}
}

// Dropped answers apply to thread creates too: the thread exists, the client
// never hears of it.
func TestDropAfterCreateAppliesToThreads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	cid, _ := f.createConversation(f.team.ID, "Parent")
	f.srv.SetFaults(Faults{DropAfterCreateEvery: 1})
	thread := `{"posts":[{"body":{"contentType":"text","content":"x"}}]}`
	req, err := http.NewRequest(http.MethodPost, f.base+"/groups/"+f.team.ID+"/conversations/"+cid+"/threads", strings.NewReader(thread))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	resp, err := f.hs.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("want the connection dropped, got status %d", resp.StatusCode)
	}
	if n := len(f.srv.Threads(f.team.ID, cid)); n != 2 {
		t.Fatalf("the thread create must be applied before the drop; threads = %d", n)
	}
	if got := f.srv.Counters()["faults.dropped"]; got != 1 {
		t.Fatalf("faults.dropped = %d", got)
	}
}

// A create the server refuses is answered even when its answer was drawn to
// be dropped: it created nothing, so there is nothing ambiguous to model.
func TestRefusedCreateIsAnsweredDespiteADrop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{RefuseCreateStamps: true, Faults: Faults{DropAfterCreateEvery: 1}})
	r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: stampedConversationBody("Refused", "k")})
	wantError(t, r, http.StatusBadRequest, "RequestBodyRead")
	if got := f.srv.Counters()["faults.dropped"]; got != 0 {
		t.Fatalf("faults.dropped = %d", got)
	}
}
