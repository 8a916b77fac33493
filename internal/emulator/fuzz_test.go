package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fuzzWorld is a small deterministic server: the same seed gives the same ids
// on every construction, so seed corpus entries can name real objects.
type fuzzWorld struct {
	srv                        *Server
	group, security            string
	conversation, thread, post string
}

func newFuzzWorld(t testing.TB, b Behaviour) fuzzWorld {
	srv := New(Options{Seed: 99, Tokens: map[string]Principal{aliceToken: alice, appToken: robotApp}, Behaviour: b})
	team := srv.AddGroup(Group{DisplayName: "Fuzz", GroupTypes: []string{"Unified"}})
	security := srv.AddGroup(Group{DisplayName: "Fuzz Security"})
	c, err := srv.SeedConversation(team.ID, "Fuzz topic", ItemBody{"html", "<p>seed</p>"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	tid := c.ThreadIDs[0]
	return fuzzWorld{srv: srv, group: team.ID, security: security.ID, conversation: c.ID, thread: tid, post: srv.Posts(team.ID, tid)[0].ID}
}

// fuzzBehaviours are the behaviours FuzzServeHTTP runs under; the length of
// each input's body picks one, so every behaviour's code sees arbitrary
// input without a change to the fuzz target's arguments (and its corpus).
var fuzzBehaviours = []Behaviour{
	{},
	{TopCapsTotal: true, ListOrder: NewestFirst, HonourMaxPageSizePreference: true, NormaliseTopics: true,
		MaxTopicLength: ExchangeMaxTopicLength, HTMLShape: HTMLSanitised, TextToHTML: true, PostsOrder: NewestFirst},
	{HTMLShape: HTMLMessage, TextToHTML: true, NonUnifiedStatus: 403, HonourMaxPageSizePreference: true},
}

// FuzzServeHTTP sends arbitrary methods, targets and bodies to the handler.
// Whatever arrives, the answer must be a real HTTP status, errors must come
// in the Graph envelope, and no panic may reach the recover middleware.
func FuzzServeHTTP(f *testing.F) {
	w := newFuzzWorld(f, Behaviour{})
	g := "/v1.0/groups/" + w.group
	conv := g + "/conversations/" + w.conversation
	thread := conv + "/threads/" + w.thread
	create := `{"topic":"t","threads":[{"posts":[{"@odata.type":"#microsoft.graph.post","body":{"contentType":"html","content":"<b>x"}}]}]}`
	for _, seed := range []struct{ method, target, body string }{
		{"GET", g + "/conversations", ""},
		{"POST", g + "/conversations", create},
		{"POST", g + "/conversations", `{"topic":"t","threads":[{"posts":[{"body":null}]}]}`},
		{"GET", conv + "?$select=topic,preview", ""},
		{"GET", strings.ReplaceAll(conv, "=", "%3D") + "?%24select=nope", ""},
		{"PATCH", conv, `{"topic":"x"}`},
		{"DELETE", conv, ""},
		{"POST", thread + "/reply", `{"Post":{"body":{"contentType":"text","content":"hi"}}}`},
		{"PATCH", g + "/threads/" + w.thread, `{"isLocked":true}`},
		{"GET", thread + "/posts/" + w.post + "?$top=1&$skip=0", ""},
		{"POST", thread + "/posts/" + w.post + "/forward", `{"toRecipients":[{"emailAddress":{"address":"a@b"}}]}`},
		{"POST", thread + "/posts", `{}`},
		{"GET", "/v1.0/groups/" + w.security + "/threads", ""},
		{"GET", "/v1.0/groups?$filter=displayName eq 'Fuzz'", ""},
		{"GET", g + "/conversations?$top=-1&$skip=x&$select=,,*", ""},
		{"GET", g + "/conversations/%3D%3D%3D%3D", ""},
		{"PUT", "/v1.0/groups//threads//posts//forward/", "{"},
		{"POST", g + "/threads", "\x1f\x8b\x08\x00\x00\x00\x00\x00"},
		{"GET", "/", ""},
	} {
		f.Add(seed.method, seed.target, seed.body)
	}

	f.Fuzz(func(t *testing.T, method, target, body string) {
		w := newFuzzWorld(t, fuzzBehaviours[len(body)%len(fuzzBehaviours)])
		req, err := http.NewRequest(method, "http://emulator.test"+target, strings.NewReader(body))
		if err != nil {
			return // net/http would never hand such a request to a handler
		}
		req.Header.Set("Authorization", "Bearer "+aliceToken)
		req.Header.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(len(target)%4))
		if strings.HasPrefix(body, "\x1f\x8b") {
			req.Header.Set("Content-Encoding", "gzip")
		}
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, req)

		if n := w.srv.panics.Load(); n != 0 {
			t.Fatalf("%s %q: a panic reached the recover middleware: %v", method, target, w.srv.lastPanic.Load())
		}
		if rec.Code < 200 || rec.Code > 599 {
			t.Fatalf("%s %q: status %d", method, target, rec.Code)
		}
		if rec.Header().Get("request-id") == "" {
			t.Fatalf("%s %q: no request-id header", method, target)
		}
		if rec.Code < 400 {
			return
		}
		var env struct {
			Error struct {
				Code       string `json:"code"`
				Message    string `json:"message"`
				InnerError struct {
					Date      string `json:"date"`
					RequestID string `json:"request-id"`
				} `json:"innerError"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s %q: status %d without a JSON envelope: %v\n%s", method, target, rec.Code, err, rec.Body.Bytes())
		}
		if env.Error.Code == "" || env.Error.Message == "" || env.Error.InnerError.RequestID == "" {
			t.Fatalf("%s %q: incomplete envelope %s", method, target, rec.Body.Bytes())
		}
		if _, err := time.Parse("2006-01-02T15:04:05", env.Error.InnerError.Date); err != nil {
			t.Fatalf("%s %q: innerError.date %q: %v", method, target, env.Error.InnerError.Date, err)
		}
	})
}

func TestRecoverTurnsPanicIntoEnvelope(t *testing.T) {
	t.Parallel()
	srv := New(Options{})
	rec := httptest.NewRecorder()
	c := &call{
		s:               srv,
		w:               &statusWriter{ResponseWriter: rec, server: srv},
		r:               httptest.NewRequest(http.MethodGet, "/v1.0/groups", nil),
		requestID:       "5f0c8a52-5b0e-4f63-9a42-2f1a9c3d7e11",
		clientRequestID: "5f0c8a52-5b0e-4f63-9a42-2f1a9c3d7e11",
		now:             time.Now(),
	}
	func() {
		defer srv.recoverPanic(c)
		panic("boom")
	}()
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), `"code":"InternalServerError"`) {
		t.Errorf("status %d body %s, want a 500 InternalServerError envelope", rec.Code, rec.Body.String())
	}
	if srv.panics.Load() != 1 || srv.Counters()["status.5xx"] != 1 {
		t.Errorf("panics = %d, status.5xx = %d, want 1 and 1", srv.panics.Load(), srv.Counters()["status.5xx"])
	}
}
