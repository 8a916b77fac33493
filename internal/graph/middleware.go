package graph

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// attemptCounterKey carries, per Graph operation, how many requests the
// retry middleware sent, so diagnostics can say so.
type attemptCounterKey struct{}

func withAttemptCounter(ctx context.Context) (context.Context, *atomic.Int32) {
	counter := new(atomic.Int32)
	return context.WithValue(ctx, attemptCounterKey{}, counter), counter
}

func countAttempt(ctx context.Context) int {
	if counter, ok := ctx.Value(attemptCounterKey{}).(*atomic.Int32); ok {
		return int(counter.Add(1))
	}
	return 1
}

// retryMiddleware retries what Graph asks to be retried (429, 503, 504),
// honouring Retry-After however long it is. Unlike kiota's retry handler it
// has no retry count or total-delay cap: the only bound is the operation's
// context deadline, so a legitimate long Retry-After is never cut short, and a
// wait that would outlive the deadline is not started at all.
//
// A POST is re-sent only after a 429, which Graph returns before doing any
// work; a 503/504 or a dropped connection on a POST may hide a conversation
// that was created, so it is returned to the caller instead of being sent
// twice blindly.
type retryMiddleware struct {
	// baseDelay is the first backoff step when Graph gives no Retry-After.
	baseDelay time.Duration
	// maxDelay caps one backoff step (not a Retry-After).
	maxDelay time.Duration
}

func (m retryMiddleware) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			req.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
			if err := rewindBody(req); err != nil {
				return nil, err
			}
		}
		resp, err := pipeline.Next(req, index)
		delay, retry := m.decide(req, resp, err, attempt)
		if !retry || !fitsDeadline(ctx, delay) {
			return resp, err
		}
		if resp != nil {
			// Drain so the connection can be reused.
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		tflog.Debug(ctx, "Retrying Graph request", map[string]any{
			"method": req.Method, "path": req.URL.Path, "attempt": attempt, "delay_ms": delay.Milliseconds(),
			"status": statusOf(resp), "transport_error": errString(err),
		})
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (m retryMiddleware) decide(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if err != nil {
		if req.Context().Err() != nil || !idempotent(req.Method) || errors.Is(err, context.Canceled) {
			return 0, false
		}
		return m.backoff(attempt), true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !idempotent(req.Method) {
			return 0, false
		}
	default:
		return 0, false
	}
	if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
		return d, true
	}
	return m.backoff(attempt), true
}

// backoff is exponential with full jitter, so that many Terraform workers
// throttled together do not come back together.
func (m retryMiddleware) backoff(attempt int) time.Duration {
	ceiling := m.baseDelay << min(attempt-1, 16)
	if ceiling <= 0 || ceiling > m.maxDelay {
		ceiling = m.maxDelay
	}
	return ceiling/2 + rand.N(ceiling/2+1)
}

func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

func fitsDeadline(ctx context.Context, delay time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > delay
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPut, http.MethodOptions:
		return true
	}
	return false
}

func rewindBody(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return err
		}
		req.Body = body
		return nil
	}
	if seeker, ok := req.Body.(io.Seeker); ok {
		_, err := seeker.Seek(0, io.SeekStart)
		return err
	}
	return errors.New("cannot resend a request whose body cannot be rewound")
}

// loggingMiddleware writes one structured line per HTTP attempt. It sits
// inside the retry middleware so every attempt is visible. It logs no
// headers and no bodies: the Authorization header and message content stay
// out of logs.
type loggingMiddleware struct{}

func (loggingMiddleware) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	attempt := countAttempt(ctx)
	start := time.Now()
	resp, err := pipeline.Next(req, index)
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"query":       req.URL.RawQuery,
		"attempt":     attempt,
		"duration_ms": time.Since(start).Milliseconds(),
		"status":      statusOf(resp),
	}
	if resp != nil {
		fields["request_id"] = resp.Header.Get("request-id")
	}
	if err != nil {
		fields["transport_error"] = err.Error()
	}
	tflog.Debug(ctx, "Graph request", fields)
	return resp, err
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
