package graph

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// scriptedPipeline answers attempts from a script, one entry per attempt.
type scriptedPipeline struct {
	answers []scripted
	sent    int
}

type scripted struct {
	status     int
	retryAfter string
	err        error
}

func (p *scriptedPipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	a := p.answers[min(p.sent, len(p.answers)-1)]
	p.sent++
	if a.err != nil {
		return nil, a.err
	}
	h := http.Header{}
	if a.retryAfter != "" {
		h.Set("Retry-After", a.retryAfter)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader("{}")), Request: req}, nil
}

// recordingSleep records waits instead of sleeping.
type recordingSleep struct{ waits []time.Duration }

func (r *recordingSleep) sleep(_ context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return nil
}

func newTestRetry(s *recordingSleep) retryMiddleware {
	return retryMiddleware{baseDelay: time.Second, maxDelay: 30 * time.Second, sleep: s.sleep}
}

func request(t *testing.T, method string, deadline time.Duration) *http.Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, method, "https://graph.microsoft.com/v1.0/groups/g/conversations", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	dialErr := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	resetErr := &url.Error{Op: "Post", URL: "x", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	tests := []struct {
		name       string
		method     string
		deadline   time.Duration
		answers    []scripted
		wantSent   int
		wantStatus int
		wantWaits  []time.Duration // nil: only the count is checked
		wantErr    bool
	}{
		{
			// kiota caps the total delay at 180 s and 10 retries; a
			// Retry-After of 200 s, and of an hour, is honoured here.
			name: "retry-after longer than any default cap", method: http.MethodGet, deadline: 3 * time.Hour,
			answers:  []scripted{{status: 429, retryAfter: "200"}, {status: 429, retryAfter: "3600"}, {status: 200}},
			wantSent: 3, wantStatus: 200, wantWaits: []time.Duration{200 * time.Second, time.Hour},
		},
		{
			name: "retry-after as an HTTP date", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{status: 503, retryAfter: time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)}, {status: 200}},
			wantSent: 2, wantStatus: 200,
		},
		{
			name: "no count limit", method: http.MethodDelete, deadline: time.Hour,
			answers:  append(repeat(scripted{status: 504, retryAfter: "1"}, 25), scripted{status: 204}),
			wantSent: 26, wantStatus: 204,
		},
		{
			name: "wait beyond the deadline is not started", method: http.MethodGet, deadline: time.Minute,
			answers:  []scripted{{status: 429, retryAfter: "120"}},
			wantSent: 1, wantStatus: 429, wantWaits: []time.Duration{},
		},
		{name: "400 is final", method: http.MethodGet, deadline: time.Hour, answers: []scripted{{status: 400}}, wantSent: 1, wantStatus: 400, wantWaits: []time.Duration{}},
		{name: "403 is final", method: http.MethodGet, deadline: time.Hour, answers: []scripted{{status: 403}}, wantSent: 1, wantStatus: 403, wantWaits: []time.Duration{}},
		{name: "404 is final", method: http.MethodDelete, deadline: time.Hour, answers: []scripted{{status: 404}}, wantSent: 1, wantStatus: 404, wantWaits: []time.Duration{}},
		{name: "500 is final", method: http.MethodGet, deadline: time.Hour, answers: []scripted{{status: 500}}, wantSent: 1, wantStatus: 500, wantWaits: []time.Duration{}},
		{
			name: "POST is retried after 429", method: http.MethodPost, deadline: time.Hour,
			answers:  []scripted{{status: 429, retryAfter: "2"}, {status: 201}},
			wantSent: 2, wantStatus: 201, wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name: "POST is not retried after 503", method: http.MethodPost, deadline: time.Hour,
			answers:  []scripted{{status: 503, retryAfter: "1"}},
			wantSent: 1, wantStatus: 503, wantWaits: []time.Duration{},
		},
		{
			name: "POST is not retried after a reset connection", method: http.MethodPost, deadline: time.Hour,
			answers:  []scripted{{err: resetErr}},
			wantSent: 1, wantErr: true, wantWaits: []time.Duration{},
		},
		{
			name: "POST is retried when it never left", method: http.MethodPost, deadline: time.Hour,
			answers:  []scripted{{err: dialErr}, {status: 201}},
			wantSent: 2, wantStatus: 201,
		},
		{
			name: "GET is retried after a reset connection", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{err: resetErr}, {err: resetErr}, {status: 200}},
			wantSent: 3, wantStatus: 200,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pipeline := &scriptedPipeline{answers: tt.answers}
			sleep := &recordingSleep{}
			resp, err := newTestRetry(sleep).Intercept(pipeline, 0, request(t, tt.method, tt.deadline))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if resp != nil && resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if pipeline.sent != tt.wantSent {
				t.Fatalf("sent %d attempts, want %d", pipeline.sent, tt.wantSent)
			}
			if len(sleep.waits) != tt.wantSent-1 {
				t.Fatalf("waited %d times for %d attempts", len(sleep.waits), tt.wantSent)
			}
			if tt.wantWaits != nil {
				for i, w := range tt.wantWaits {
					if sleep.waits[i] != w {
						t.Fatalf("waits = %v, want %v", sleep.waits, tt.wantWaits)
					}
				}
			}
		})
	}
}

func TestBackoffWithoutRetryAfterGrowsWithJitter(t *testing.T) {
	t.Parallel()
	pipeline := &scriptedPipeline{answers: append(repeat(scripted{status: 503}, 8), scripted{status: 200})}
	sleep := &recordingSleep{}
	if _, err := newTestRetry(sleep).Intercept(pipeline, 0, request(t, http.MethodGet, time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i, w := range sleep.waits {
		ceiling := min(time.Second<<i, 30*time.Second)
		if w < ceiling/2 || w > ceiling {
			t.Fatalf("wait %d = %v, want within [%v, %v]", i+1, w, ceiling/2, ceiling)
		}
	}
}

func repeat(s scripted, n int) []scripted {
	out := make([]scripted, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestMailboxOf(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/v1.0/groups/ABC/conversations":            "abc",
		"/v1.0/groups/abc/conversations/x=/threads": "abc",
		"/v1.0/groups/abc":                          "",
		"/v1.0/groups":                              "",
		"/v1.0/users/u/messages":                    "",
	}
	for path, want := range tests {
		got, ok := mailboxOf(path)
		if got != want || ok != (want != "") {
			t.Errorf("mailboxOf(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}
