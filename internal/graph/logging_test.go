package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
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

// echoingPipeline answers like an endpoint that echoes what it was sent:
// the bearer token in the request-id header and in the body, the request's
// body in the answer's. With err it fails instead.
type echoingPipeline struct{ err error }

func (p echoingPipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	if p.err != nil {
		return nil, p.err
	}
	sent, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	authorization := req.Header.Get("Authorization")
	return &http.Response{
		StatusCode: http.StatusTooManyRequests,
		Header:     http.Header{"Request-Id": {"req-1 " + authorization}, "Retry-After": {"1"}},
		Body:       io.NopCloser(strings.NewReader(authorization + " " + string(sent))),
		Request:    req,
	}, nil
}

// The logging middleware on its own: one line per attempt, each attempt
// counted for the operation, and neither the token, the request's body nor
// the answer's in any line, whatever the endpoint echoes. The answer's body
// is left unread for the caller.
func TestLoggingMiddlewareLogsNoTokenAndNoBody(t *testing.T) {
	t.Parallel()
	const token = "logging-test-token-that-must-stay-out-of-logs"
	const bodyMarker = "body-text-that-must-stay-out-of-logs"
	var logs bytes.Buffer
	ctx, attempts := withAttemptCounter(tflogtest.RootLogger(context.Background(), &logs))
	send := func(pipeline echoingPipeline) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://graph.microsoft.com/v1.0/groups/g/conversations?$select=id",
			strings.NewReader(`{"topic":"`+bodyMarker+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return loggingMiddleware{}.Intercept(pipeline, 0, req)
	}

	resp, err := send(echoingPipeline{})
	if err != nil {
		t.Fatal(err)
	}
	if answer, _ := io.ReadAll(resp.Body); !strings.Contains(string(answer), bodyMarker) {
		t.Fatalf("the answer's body was not left for the caller: %q", answer)
	}
	if _, err := send(echoingPipeline{err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}); err == nil {
		t.Fatal("the transport error was lost")
	}
	if n := attempts.Load(); n != 2 {
		t.Fatalf("the operation counted %d attempts, want 2", n)
	}

	raw := logs.String()
	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("decoding the log: %v", err)
	}
	if len(entries) != 2 {
		t.Fatalf("want one line per attempt, got %d: %s", len(entries), raw)
	}
	want := []map[string]any{
		{"@message": "Graph request", "@level": "debug", "method": "POST", "path": "/v1.0/groups/g/conversations",
			"query": "$select=id", "attempt": float64(1), "status": float64(429), "request_id": "req-1 Bearer " + redacted},
		{"@message": "Graph request", "@level": "debug", "method": "POST", "path": "/v1.0/groups/g/conversations",
			"query": "$select=id", "attempt": float64(2), "status": float64(0),
			"transport_error": "dial tcp 127.0.0.1:1: connect: connection refused"},
	}
	for i, fields := range want {
		for key, value := range fields {
			if entries[i][key] != value {
				t.Errorf("line %d: %s = %v, want %v", i+1, key, entries[i][key], value)
			}
		}
		if _, ok := entries[i]["duration_ms"].(float64); !ok {
			t.Errorf("line %d has no duration_ms", i+1)
		}
	}
	if _, ok := entries[1]["request_id"]; ok {
		t.Error("an attempt without an answer logged a request_id")
	}
	for _, secret := range []string{token, bodyMarker, "Authorization", "topic"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}
