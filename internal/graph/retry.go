package graph

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graphwire"
)

// retryMiddleware retries what Graph asks to be retried (429, 503, 504, and
// dropped connections on idempotent requests), honouring Retry-After however
// long it is. Unlike kiota's retry handler it has no retry count or
// total-delay cap: the only bound is the operation's context deadline, so a
// legitimate long Retry-After is never cut short, and a wait that would
// outlive the deadline is not started at all. An endpoint that cannot be
// reached is the exception: it is retried maxUnreachableAttempts times.
//
// A POST is re-sent only after a 429, which Graph answers before doing any
// work. A 5xx or a lost connection on a POST may hide an object that was
// created, so it is returned to the caller, which checks before creating
// again (see CreateConversation).
type retryMiddleware struct {
	// baseDelay is the first backoff step when Graph gives no Retry-After.
	baseDelay time.Duration
	// maxDelay caps one backoff step; it never caps a Retry-After.
	maxDelay time.Duration
	// attemptTimeout bounds one attempt, so a request that hangs fails (and
	// is retried or reconciled) while the operation still has time.
	attemptTimeout time.Duration
	// sleep waits for d or until ctx ends; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

func (m retryMiddleware) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	unreachable := 0
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			req.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
			if err := graphwire.RewindBody(req); err != nil {
				return nil, err
			}
		}
		resp, err := m.send(pipeline, index, req)
		if FailureOf(err) == FailureUnreachable {
			unreachable++
		}
		delay, retry := m.decide(req, resp, err, attempt, unreachable)
		if !retry {
			return resp, err
		}
		if !fitsDeadline(ctx, delay) {
			tflog.Debug(ctx, "Not retrying Graph request: the wait would outlive the operation's deadline", map[string]any{
				"method": req.Method, "path": req.URL.Path, "attempt": attempt, "delay_ms": delay.Milliseconds(),
			})
			if resp != nil && resp.Header.Get("Retry-After") != "" {
				// Graph asked for this wait: the error will say how long.
				resp.Header.Set(refusedWaitHeader, strconv.FormatInt(int64(delay), 10))
			}
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
		if sleepErr := m.sleep(ctx, delay); sleepErr != nil {
			if err != nil {
				// The last attempt's failure says more than the deadline.
				return nil, err
			}
			return nil, sleepErr
		}
	}
}

// send runs one attempt under its own timeout. The timeout's context lives
// until the response body is closed, since the body is read after Intercept
// returns.
func (m retryMiddleware) send(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	if m.attemptTimeout <= 0 {
		return pipeline.Next(req, index)
	}
	ctx, cancel := context.WithTimeout(req.Context(), m.attemptTimeout)
	resp, err := pipeline.Next(req.WithContext(ctx), index)
	if err != nil || resp == nil {
		cancel()
		return resp, err
	}
	resp.Body = &onCloseBody{ReadCloser: resp.Body, onClose: cancel}
	return resp, nil
}

// decide says whether to send req again, and after what wait. A failure
// without an answer is retried only when another attempt may succeed: a
// connection that broke (requests safe to repeat only, as Graph may have acted),
// and an endpoint that could not be reached, which is retried briefly
// (maxUnreachableAttempts): it is usually a configuration mistake or an
// emulator that is not running, and minutes of retries would only hide
// that. A request the provider refused, a TLS failure and an unusable
// answer cannot succeed by being sent again.
func (m retryMiddleware) decide(req *http.Request, resp *http.Response, err error, attempt, unreachable int) (time.Duration, bool) {
	if err != nil {
		if req.Context().Err() != nil {
			return 0, false
		}
		switch FailureOf(err) {
		case FailureUnreachable:
			// A request that never left this machine is safe to send again,
			// whatever its method.
			if unreachable >= maxUnreachableAttempts {
				return 0, false
			}
			return jitteredBackoff(m.baseDelay, min(m.maxDelay, maxUnreachableDelay), unreachable), true
		case FailureNoAnswer:
			if !retrySafe(req) {
				return 0, false
			}
			return m.backoff(attempt), true
		}
		return 0, false
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !retrySafe(req) {
			return 0, false
		}
	default:
		return 0, false
	}
	if d, ok := graphwire.RetryAfter(resp.Header.Get("Retry-After")); ok {
		return d, true
	}
	return m.backoff(attempt), true
}

// maxUnreachableAttempts is how many times a request is sent to an endpoint
// that cannot be reached, and maxUnreachableDelay caps each wait between
// them: at most about 5 seconds in all with the default one-second backoff.
const (
	maxUnreachableAttempts = 4
	maxUnreachableDelay    = 2 * time.Second
)

// refusedWaitHeader marks, on an answer handed back without the wait its
// Retry-After asked for, how long that wait was in nanoseconds, so that the
// error can say so. It is set by the retry middleware and read by newError;
// it never leaves the process.
const refusedWaitHeader = "X-Msgraph-Provider-Refused-Wait"

// backoff is exponential with jitter, so that many Terraform workers
// throttled together do not come back together.
func (m retryMiddleware) backoff(attempt int) time.Duration {
	return jitteredBackoff(m.baseDelay, m.maxDelay, attempt)
}

// jitteredBackoff returns a delay between half and all of
// base·2^(attempt-1), capped at ceiling.
func jitteredBackoff(base, ceiling time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 16)
	if d <= 0 || d > ceiling {
		d = ceiling
	}
	return d/2 + rand.N(d/2+1)
}

// idempotent reports whether a request of method may be sent twice with the
// effect of once, as HTTP defines it.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPut, http.MethodOptions:
		return true
	}
	return false
}
