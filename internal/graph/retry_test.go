package graph

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
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

// decide is the whole retry policy: which answers and failures are sent
// again, for which methods, and after what wait.
func TestRetryDecide(t *testing.T) {
	t.Parallel()
	dialErr := &url.Error{Op: "Get", URL: "x", Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}
	resetErr := &url.Error{Op: "Get", URL: "x", Err: &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}}
	tlsErr := &url.Error{Op: "Get", URL: "x", Err: x509.UnknownAuthorityError{}}
	refused := &callError{failure: FailureRefused, text: "refused"}
	badAnswer := &callError{failure: FailureBadAnswer, status: 302, text: "redirect"}
	tests := []struct {
		name string
		// method and, when retrySafe, marked with withRetrySafe.
		method    string
		retrySafe bool
		// status and retryAfter of the answer, or err when none came.
		status     int
		retryAfter string
		err        error
		// attempt is the attempt just made; unreachable how many of the
		// attempts so far found the endpoint unreachable.
		attempt, unreachable int
		canceled             bool
		// want says whether to retry, after a wait within [minWait, maxWait].
		want             bool
		minWait, maxWait time.Duration
	}{
		{name: "GET 429 waits its Retry-After", method: http.MethodGet, status: 429, retryAfter: "5", attempt: 1, want: true, minWait: 5 * time.Second, maxWait: 5 * time.Second},
		{name: "POST 429 waits its Retry-After", method: http.MethodPost, status: 429, retryAfter: "5", attempt: 1, want: true, minWait: 5 * time.Second, maxWait: 5 * time.Second},
		{name: "POST 429 without Retry-After backs off", method: http.MethodPost, status: 429, attempt: 3, want: true, minWait: 2 * time.Second, maxWait: 4 * time.Second},
		{name: "a Retry-After longer than any backoff is honoured", method: http.MethodGet, status: 429, retryAfter: "3600", attempt: 1, want: true, minWait: time.Hour, maxWait: time.Hour},
		{name: "a negative Retry-After is ignored", method: http.MethodGet, status: 503, retryAfter: "-5", attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "GET 503 backs off", method: http.MethodGet, status: 503, attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "GET 504 waits its Retry-After", method: http.MethodGet, status: 504, retryAfter: "2", attempt: 1, want: true, minWait: 2 * time.Second, maxWait: 2 * time.Second},
		{name: "DELETE 503 is retried", method: http.MethodDelete, status: 503, attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "PUT 504 is retried", method: http.MethodPut, status: 504, attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "a backoff step is capped", method: http.MethodGet, status: 503, attempt: 10, want: true, minWait: 15 * time.Second, maxWait: 30 * time.Second},
		{name: "POST 503 may have created", method: http.MethodPost, status: 503, retryAfter: "1", attempt: 1},
		{name: "POST 504 may have created", method: http.MethodPost, status: 504, attempt: 1},
		{name: "PATCH 503 is not retried unmarked", method: http.MethodPatch, status: 503, attempt: 1},
		{name: "PATCH 503 marked safe is retried", method: http.MethodPatch, retrySafe: true, status: 503, attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "GET 500 is final", method: http.MethodGet, status: 500, attempt: 1},
		{name: "GET 502 is final", method: http.MethodGet, status: 502, attempt: 1},
		{name: "GET 400 is final", method: http.MethodGet, status: 400, attempt: 1},
		{name: "GET 401 is final", method: http.MethodGet, status: 401, attempt: 1},
		{name: "GET 403 is final", method: http.MethodGet, status: 403, attempt: 1},
		{name: "GET 404 is final", method: http.MethodGet, status: 404, attempt: 1},
		{name: "GET 409 is final", method: http.MethodGet, status: 409, attempt: 1},
		{name: "GET 200 is done", method: http.MethodGet, status: 200, attempt: 1},
		{name: "POST 201 is done", method: http.MethodPost, status: 201, attempt: 1},
		{name: "an unreachable endpoint is retried", method: http.MethodGet, err: dialErr, attempt: 1, unreachable: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "a POST that never left is retried", method: http.MethodPost, err: dialErr, attempt: 1, unreachable: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "unreachable waits are capped", method: http.MethodGet, err: dialErr, attempt: 3, unreachable: 3, want: true, minWait: time.Second, maxWait: maxUnreachableDelay},
		{name: "an unreachable endpoint is given up", method: http.MethodGet, err: dialErr, attempt: 4, unreachable: maxUnreachableAttempts},
		{name: "GET after a broken connection is retried", method: http.MethodGet, err: resetErr, attempt: 2, want: true, minWait: time.Second, maxWait: 2 * time.Second},
		{name: "POST after a broken connection may have created", method: http.MethodPost, err: resetErr, attempt: 1},
		{name: "PATCH marked safe after a broken connection is retried", method: http.MethodPatch, retrySafe: true, err: resetErr, attempt: 1, want: true, minWait: 500 * time.Millisecond, maxWait: time.Second},
		{name: "nothing is retried once the operation ended", method: http.MethodGet, err: resetErr, attempt: 1, canceled: true},
		{name: "a TLS failure is final", method: http.MethodGet, err: tlsErr, attempt: 1},
		{name: "a request the guard refused is final", method: http.MethodGet, err: refused, attempt: 1},
		{name: "an unusable answer is final", method: http.MethodGet, err: badAnswer, attempt: 1},
	}
	m := retryMiddleware{baseDelay: time.Second, maxDelay: 30 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.retrySafe {
				ctx = withRetrySafe(ctx)
			}
			if tt.canceled {
				cancel()
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, "https://graph.microsoft.com/v1.0/groups/g/conversations", nil)
			if err != nil {
				t.Fatal(err)
			}
			var resp *http.Response
			if tt.err == nil {
				resp = &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: http.NoBody, Request: req}
				if tt.retryAfter != "" {
					resp.Header.Set("Retry-After", tt.retryAfter)
				}
			}
			wait, retry := m.decide(req, resp, tt.err, tt.attempt, tt.unreachable)
			if retry != tt.want {
				t.Fatalf("decide retries = %v, want %v", retry, tt.want)
			}
			if retry && (wait < tt.minWait || wait > tt.maxWait) {
				t.Fatalf("decide waits %v, want within [%v, %v]", wait, tt.minWait, tt.maxWait)
			}
		})
	}
}

// bodyRecordingPipeline answers 429 once, then 201, and keeps what each
// attempt sent.
type bodyRecordingPipeline struct {
	bodies  []string
	retries []string
}

func (p *bodyRecordingPipeline) Next(req *http.Request, _ int) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	p.bodies = append(p.bodies, string(body))
	p.retries = append(p.retries, req.Header.Get("Retry-Attempt"))
	status := http.StatusCreated
	if len(p.bodies) == 1 {
		status = http.StatusTooManyRequests
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {"0"}}, Body: http.NoBody, Request: req}, nil
}

// A request sent again carries its whole body again, and says which retry
// it is.
func TestRetryResendsTheWholeBody(t *testing.T) {
	t.Parallel()
	pipeline := &bodyRecordingPipeline{}
	req := request(t, http.MethodPost, time.Hour)
	if _, err := newTestRetry(&recordingSleep{}).Intercept(pipeline, 0, req); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pipeline.bodies, []string{"{}", "{}"}) || !slices.Equal(pipeline.retries, []string{"", "1"}) {
		t.Fatalf("attempts sent bodies %q with Retry-Attempt %q", pipeline.bodies, pipeline.retries)
	}
}

// The tests below run the retry in a whole client against the emulator.

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	fault := &faultTransport{method: http.MethodPost, status: 429, retryAfter: "1"}
	fault.remaining.Store(1)
	c := env.client(t, testToken, fault)
	start := time.Now()
	created, err := c.CreateConversation(testContext(t), env.group.ID, NewConversation{Topic: "t", Body: ItemBody{Content: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Fatalf("Retry-After: 1 was not honoured: retried after %v", elapsed)
	}
	if fault.seen.Load() != 1 || len(env.server.Conversations(env.group.ID)) != 1 || created.ID == "" {
		t.Fatalf("want one throttled attempt and one conversation; faults %d, conversations %d", fault.seen.Load(), len(env.server.Conversations(env.group.ID)))
	}
}

func TestRetryBacksOffWithoutRetryAfter(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	seeded, err := env.server.SeedConversation(env.group.ID, "t", emulator.ItemBody{ContentType: "text", Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	fault := &faultTransport{method: http.MethodGet, status: 503}
	fault.remaining.Store(3)
	c := env.client(t, testToken, fault)
	if _, err := c.GetConversation(testContext(t), env.group.ID, seeded.ID); err != nil {
		t.Fatalf("a GET should outlast three 503s: %v", err)
	}
	if fault.seen.Load() != 3 {
		t.Fatalf("want 3 faults seen, got %d", fault.seen.Load())
	}
}

// A Retry-After longer than the time left is not waited for: the caller gets
// Graph's answer at once rather than a deadline error much later.
func TestRetryAfterBeyondDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	fault := &faultTransport{method: http.MethodGet, status: 429, retryAfter: "3600"}
	fault.remaining.Store(1)
	c := env.client(t, testToken, fault)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.GetConversation(ctx, env.group.ID, "AAQkAGI2ZmVkLWQ0MzktNGQ5Mi1iMDk5LWI3ZWE3YzBhYTY2MQAQAEf9cR0=")
	var ge *Error
	if !errors.As(err, &ge) || ge.StatusCode != 429 || ge.Code != "ApplicationThrottled" || ctx.Err() != nil {
		t.Fatalf("want the 429 before the deadline, got %v (ctx %v)", err, ctx.Err())
	}
}

func TestMailboxThrottlingIsAbsorbed(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{MailboxConcurrency: 1, Latency: 100 * time.Millisecond, RetryAfterSeconds: 1})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: "t" + string(rune('a'+i)), Body: ItemBody{Content: "x"}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	counters := env.server.Counters()
	if counters["status.429"] == 0 || counters["conversations.create"] < 3 || len(env.server.Conversations(env.group.ID)) != 3 {
		t.Fatalf("want 429s absorbed and 3 conversations; counters %v", counters)
	}
}
