package emulator

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestErrorEnvelope(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now})
	unknown := "/groups/" + f.team.ID + "/conversations/AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk="
	tests := []struct {
		name            string
		clientRequestID string
	}{
		{"client-request-id echoed", "3f1c7f3a-1b7e-4d0e-9b8e-2a4c5d6e7f80"},
		{"client-request-id defaults to request-id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request{path: unknown}
			if tt.clientRequestID != "" {
				req.header = map[string]string{"client-request-id": tt.clientRequestID}
			}
			r := f.do(req)
			wantStatus(t, r, http.StatusNotFound)
			if got := r.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			env := r.object(t)
			if got := keysOf(env); !slices.Equal(got, []string{"error"}) {
				t.Fatalf("envelope keys = %v, want [error]", got)
			}
			e := env["error"].(map[string]any)
			if got := keysOf(e); !slices.Equal(got, []string{"code", "innerError", "message"}) {
				t.Fatalf("error keys = %v, want [code innerError message]", got)
			}
			if e["code"] != "ErrorItemNotFound" || e["message"] != "The specified object was not found in the store." {
				t.Errorf("code/message = %v/%v", e["code"], e["message"])
			}
			inner := e["innerError"].(map[string]any)
			if got := keysOf(inner); !slices.Equal(got, []string{"client-request-id", "date", "request-id"}) {
				t.Fatalf("innerError keys = %v", got)
			}
			if want := clock.Now().Format("2006-01-02T15:04:05"); inner["date"] != want {
				t.Errorf("date = %v, want %s", inner["date"], want)
			}
			requestID := r.header.Get("request-id")
			if !uuidV4.MatchString(requestID) || inner["request-id"] != requestID {
				t.Errorf("request-id header %q / body %v: want the same UUID v4", requestID, inner["request-id"])
			}
			wantClient := tt.clientRequestID
			if wantClient == "" {
				wantClient = requestID
			}
			if inner["client-request-id"] != wantClient || r.header.Get("client-request-id") != wantClient {
				t.Errorf("client-request-id body %v / header %q, want %s", inner["client-request-id"], r.header.Get("client-request-id"), wantClient)
			}
		})
	}

	t.Run("successful answers carry the ids too", func(t *testing.T) {
		t.Parallel()
		r := f.do(request{path: "/groups/" + f.team.ID, header: map[string]string{"client-request-id": "abc"}})
		wantStatus(t, r, http.StatusOK)
		if !uuidV4.MatchString(r.header.Get("request-id")) || r.header.Get("client-request-id") != "abc" {
			t.Errorf("headers request-id=%q client-request-id=%q", r.header.Get("request-id"), r.header.Get("client-request-id"))
		}
		if got := r.header.Get("Content-Type"); got != successContentType {
			t.Errorf("Content-Type = %q", got)
		}
	})

	t.Run("request ids are fresh", func(t *testing.T) {
		t.Parallel()
		a := f.do(request{path: "/groups/" + f.team.ID}).header.Get("request-id")
		b := f.do(request{path: "/groups/" + f.team.ID}).header.Get("request-id")
		if a == b {
			t.Errorf("two requests got the same request-id %s", a)
		}
	})
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Latency: time.Millisecond})
	path := "/groups/" + f.team.ID + "/conversations"
	tests := []struct {
		name        string
		header      string // Authorization; "-" means not sent
		path        string
		wantStatus  int
		wantMessage string
	}{
		{"no header", "-", path, 401, "Access token is empty."},
		{"empty bearer", "Bearer ", path, 401, "Access token is empty."},
		{"basic scheme", "Basic YWxpY2U6cHc=", path, 401, "Access token is empty."},
		{"unknown token", "Bearer not-a-known-token", path, 401, "Access token validation failure. Invalid audience."},
		{"token of another case", "Bearer ALICE-TOKEN", path, 401, "Access token validation failure. Invalid audience."},
		{"checked before routing", "-", "/nowhere", 401, "Access token is empty."},
		{"lowercase scheme is fine", "bearer " + aliceToken, path, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := request{path: tt.path, token: tokenOf("")}
			if tt.header != "-" {
				req.header = map[string]string{"Authorization": tt.header}
			}
			r := f.do(req)
			if tt.wantStatus != 401 {
				wantStatus(t, r, tt.wantStatus)
				return
			}
			e := wantError(t, r, 401, "InvalidAuthenticationToken")
			if e["message"] != tt.wantMessage {
				t.Errorf("message = %v, want %q", e["message"], tt.wantMessage)
			}
		})
	}

	t.Run("no tokens configured accepts nobody", func(t *testing.T) {
		t.Parallel()
		g := newFixture(t, Options{Tokens: map[string]Principal{}})
		wantError(t, g.do(request{path: path}), 401, "InvalidAuthenticationToken")
	})
}
