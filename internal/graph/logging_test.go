package graph

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// Every HTTP attempt to Graph leaves exactly one DEBUG line with what a
// support case needs (method, path, status, request-id, duration, attempt),
// and nothing in any line, at any level, carries the token or a post's body.
func TestLogsOneDebugLinePerGraphAttempt(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	// The first POST is throttled, so the create takes two attempts.
	fault := &faultTransport{method: http.MethodPost, status: http.StatusTooManyRequests, retryAfter: "0"}
	fault.remaining.Store(1)
	c := env.client(t, testToken, fault)
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testContext(t), &logs)

	const bodyMarker = "body-text-that-must-stay-out-of-logs"
	created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{
		Topic: "Kickoff",
		Body:  ItemBody{ContentType: "html", Content: "<p>" + bodyMarker + "</p>"},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := c.GetConversation(ctx, env.group.ID, created.ID); err != nil {
		t.Fatalf("get: %v", err)
	}

	raw := logs.String()
	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("decoding the log: %v", err)
	}
	type attempt struct {
		method  string
		status  float64
		attempt float64
	}
	var got []attempt
	for _, e := range entries {
		if e["@message"] != "Graph request" {
			continue
		}
		if e["@level"] != "debug" {
			t.Errorf("Graph request logged at %v, want debug: %v", e["@level"], e)
		}
		path, _ := e["path"].(string)
		if !strings.HasPrefix(path, "/v1.0/groups/"+env.group.ID+"/conversations") {
			t.Errorf("path %q is not the conversations path of the group", path)
		}
		if id, _ := e["request_id"].(string); id == "" {
			t.Errorf("no request_id in %v", e)
		}
		if d, ok := e["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("no duration_ms in %v", e)
		}
		method, _ := e["method"].(string)
		status, _ := e["status"].(float64)
		n, _ := e["attempt"].(float64)
		got = append(got, attempt{method: method, status: status, attempt: n})
	}
	want := []attempt{
		{method: http.MethodPost, status: http.StatusTooManyRequests, attempt: 1},
		{method: http.MethodPost, status: http.StatusCreated, attempt: 2},
		{method: http.MethodGet, status: http.StatusOK, attempt: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("want %d Graph request lines (one per attempt), got %d: %+v", len(want), len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: got %+v, want %+v", i, got[i], want[i])
		}
	}

	for _, secret := range []string{testToken, bodyMarker, "Bearer", "Authorization"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}
