package graph

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
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
		{
			// Issue 14: an endpoint that cannot be reached was retried to
			// the deadline.
			name: "an unreachable endpoint is retried briefly", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{err: dialErr}},
			wantSent: maxUnreachableAttempts, wantErr: true,
		},
		{
			name: "a 429 does not use up the unreachable retries", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{status: 429, retryAfter: "1"}, {status: 429, retryAfter: "1"}, {err: dialErr}, {err: dialErr}, {err: dialErr}, {status: 200}},
			wantSent: 6, wantStatus: 200,
		},
		{
			name: "a TLS failure is final", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{err: &url.Error{Op: "Get", URL: "x", Err: x509.UnknownAuthorityError{}}}},
			wantSent: 1, wantErr: true, wantWaits: []time.Duration{},
		},
		{
			name: "a refused request is final", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{err: &callError{failure: FailureRefused, text: "refused"}}},
			wantSent: 1, wantErr: true, wantWaits: []time.Duration{},
		},
		{
			name: "an unusable answer is final", method: http.MethodDelete, deadline: time.Hour,
			answers:  []scripted{{err: &callError{failure: FailureBadAnswer, status: 302, text: "redirect"}}},
			wantSent: 1, wantErr: true, wantWaits: []time.Duration{},
		},
		{
			// Issue 14: 99999999999 seconds overflowed into a negative
			// wait, retried in a tight loop.
			name: "an overflowing Retry-After is not waited for", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{status: 429, retryAfter: "99999999999"}},
			wantSent: 1, wantStatus: 429, wantWaits: []time.Duration{},
		},
		{
			name: "an infinite Retry-After is not waited for", method: http.MethodGet, deadline: time.Hour,
			answers:  []scripted{{status: 503, retryAfter: "Inf"}},
			wantSent: 1, wantStatus: 503, wantWaits: []time.Duration{},
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

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"2", 2 * time.Second, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{"3600", time.Hour, true},
		{"86400000", 86400000 * time.Second, true},
		// Too large for a Duration: saturated, never negative.
		{"9223372037", math.MaxInt64, true},
		{"99999999999", math.MaxInt64, true},
		{"1e300", math.MaxInt64, true},
		{"1e400", math.MaxInt64, true},
		{"Inf", math.MaxInt64, true},
		{"+Infinity", math.MaxInt64, true},
		{"-Inf", 0, false},
		{"NaN", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
	if got, ok := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); !ok || got < 58*time.Minute || got > time.Hour {
		t.Errorf("an HTTP date an hour ahead gives %v, %v", got, ok)
	}
}

// A wait that was not started because of the deadline is marked on the
// answer, and the error says how long Graph asked to wait.
func TestRefusedWaitIsReported(t *testing.T) {
	t.Parallel()
	pipeline := &scriptedPipeline{answers: []scripted{{status: 429, retryAfter: "7200"}}}
	resp, err := newTestRetry(&recordingSleep{}).Intercept(pipeline, 0, request(t, http.MethodGet, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got := resp.Header.Get(refusedWaitHeader); got != strconv.FormatInt(int64(2*time.Hour), 10) {
		t.Fatalf("refused wait marked as %q", got)
	}
	headers := abs.NewResponseHeaders()
	headers.Add(refusedWaitHeader, resp.Header.Get(refusedWaitHeader))
	headers.Add("Retry-After", "7200")
	ge := newError("read conversation", 1, &abs.ApiError{ResponseStatusCode: 429, ResponseHeaders: headers})
	if want := "Graph asked to wait 2h0m0s before trying again (Retry-After: 7200)"; !strings.Contains(ge.Error(), want) {
		t.Fatalf("error %q does not say %q", ge, want)
	}
}
