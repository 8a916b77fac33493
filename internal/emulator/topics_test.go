package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestNormaliseSubject(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"FYI: office closed", "office closed"},
		{"RE: x", "x"},
		{"RE:x", "x"},
		{"Re:   spaced", "spaced"},
		{"AW:\tTab", "Tab"},
		{"Q3: results", "Q3: results"},
		{"3: results", "3: results"},
		{"FYIS: four letters", "FYIS: four letters"},
		{"RE: FW: twice", "FW: twice"},
		{": empty prefix", ": empty prefix"},
		{"R E: blank inside", "R E: blank inside"},
		{" RE: leading blank", " RE: leading blank"},
		{"RE: ", "RE: "},
		{"RE:", "RE:"},
		{"Ähm: umlaut", "umlaut"},
		{"no prefix at all", "no prefix at all"},
		{"Time 10:30", "Time 10:30"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := normaliseSubject(tt.in); got != tt.want {
			t.Errorf("normaliseSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTopicReadBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		behaviour Behaviour
		topic     string
		want      string
	}{
		{"kept by default", Behaviour{}, "FYI: office closed", "FYI: office closed"},
		{"normalised", Behaviour{NormaliseTopics: true}, "FYI: office closed", "office closed"},
		{"reply prefix normalised", Behaviour{NormaliseTopics: true}, "RE: budget", "budget"},
		{"digits are not a prefix", Behaviour{NormaliseTopics: true}, "Q3: plan", "Q3: plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Behaviour: tt.behaviour})
			cid, tid := f.createConversation(f.team.ID, tt.topic)
			g := "/groups/" + f.team.ID
			for _, path := range []string{g + "/conversations/" + cid, g + "/threads/" + tid} {
				if got := f.do(request{path: path}).object(t)["topic"]; got != tt.want {
					t.Errorf("GET %s topic = %q, want %q", path, got, tt.want)
				}
			}
			if got := f.do(request{path: g + "/conversations"}).values(t)[0]["topic"]; got != tt.want {
				t.Errorf("listed topic = %q, want %q", got, tt.want)
			}
			// A thread created in the group is a new conversation too.
			r := f.do(request{method: http.MethodPost, path: g + "/threads", body: map[string]any{
				"topic": tt.topic, "posts": []any{map[string]any{"body": map[string]any{"contentType": "text", "content": "x"}}},
			}})
			wantStatus(t, r, http.StatusCreated)
			if got := f.do(request{path: g + "/threads/" + r.object(t)["id"].(string)}).object(t)["topic"]; got != tt.want {
				t.Errorf("group thread topic = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTopicLengthLimit(t *testing.T) {
	t.Parallel()
	emoji := "\U0001F600" // two UTF-16 code units
	tests := []struct {
		name      string
		limit     int
		topic     string
		wantError bool
	}{
		{"no limit by default", 0, strings.Repeat("x", 300), false},
		{"at the limit", ExchangeMaxTopicLength, strings.Repeat("x", 253), false},
		{"one over", ExchangeMaxTopicLength, strings.Repeat("x", 254), true},
		{"the prefix counts", ExchangeMaxTopicLength, "RE: " + strings.Repeat("x", 250), true},
		{"UTF-16 code units", ExchangeMaxTopicLength, strings.Repeat(emoji, 127), true},
		{"UTF-16 at the limit", ExchangeMaxTopicLength, strings.Repeat(emoji, 126) + "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Behaviour: Behaviour{MaxTopicLength: tt.limit, NormaliseTopics: true}})
			r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: newConversationBody(tt.topic, "text", "x")})
			_, seedErr := f.srv.SeedConversation(f.team.ID, tt.topic, ItemBody{Content: "x"}, nil, alice)
			if !tt.wantError {
				wantStatus(t, r, http.StatusCreated)
				if seedErr != nil {
					t.Errorf("SeedConversation: %v", seedErr)
				}
				return
			}
			e := wantError(t, r, http.StatusBadRequest, "ErrorInvalidRequest")
			if msg := e["message"].(string); !strings.Contains(msg, "at most 253") {
				t.Errorf("message = %q, want the limit named", msg)
			}
			if seedErr == nil {
				t.Error("SeedConversation accepted a topic over the limit")
			}
			if n := len(f.srv.Conversations(f.team.ID)); n != 0 {
				t.Errorf("%d conversations stored after refused creates", n)
			}
		})
	}
}
