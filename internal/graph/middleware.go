package graph

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// attemptCounterKey carries, per Graph operation, how many requests were
// sent, so diagnostics can say so.
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
			if err := rewindBody(req); err != nil {
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
	if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
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

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// retryAfter reads a Retry-After header: a number of seconds (fractions
// allowed) or an HTTP date. A number too large for a time.Duration, infinity
// included, saturates at the largest Duration: a wait that long never fits a
// deadline, so it is refused at once instead of overflowing into a negative
// wait that retries in a tight loop. Negative numbers and NaN are ignored.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err == nil || errors.Is(err, strconv.ErrRange) {
		if math.IsNaN(secs) || secs < 0 {
			return 0, false
		}
		if secs >= float64(math.MaxInt64)/float64(time.Second) {
			return math.MaxInt64, true
		}
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

// mailboxLimiter keeps at most limit requests in flight per group mailbox.
// Exchange allows 4 concurrent requests per app and mailbox and answers the
// fifth with 429; queueing here instead means terraform apply -parallelism=10
// on one group causes no throttling at all. It sits inside the retry
// middleware, so a request waiting out a Retry-After holds no slot.
//
// Waiting requests get slots in arrival order, except that those marked with
// withMailboxPriority (listings shared by many reads) go first.
type mailboxLimiter struct {
	limit int
	mu    sync.Mutex
	boxes map[string]*mailbox
}

// mailbox is one group's slots: how many requests are in flight, and who
// waits for a slot, urgent ones first. A waiter's channel is closed when
// a slot is handed to it.
type mailbox struct {
	inFlight int
	waiting  [2][]chan struct{} // [urgent, normal]
}

type mailboxPriorityKey struct{}

// withMailboxPriority marks the requests made with ctx as going ahead of
// the other requests waiting for their group's mailbox.
func withMailboxPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, mailboxPriorityKey{}, true)
}

func newMailboxLimiter(limit int) *mailboxLimiter {
	return &mailboxLimiter{limit: limit, boxes: make(map[string]*mailbox)}
}

func (l *mailboxLimiter) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	group, ok := mailboxOf(req.URL.Path)
	if !ok || l.limit <= 0 {
		return pipeline.Next(req, index)
	}
	ctx := req.Context()
	start := time.Now()
	urgent, _ := ctx.Value(mailboxPriorityKey{}).(bool)
	if err := l.acquire(ctx, group, urgent); err != nil {
		return nil, err
	}
	if waited := time.Since(start); waited > 50*time.Millisecond {
		tflog.Trace(ctx, "Waited for a group mailbox slot", map[string]any{
			"group_id": group, "waited_ms": waited.Milliseconds(), "limit": l.limit,
		})
	}
	var once sync.Once
	release := func() { once.Do(func() { l.release(group) }) }
	resp, err := pipeline.Next(req, index)
	if err != nil || resp == nil {
		release()
		return resp, err
	}
	// The slot is held until the answer has been read, as Exchange counts a
	// request in flight until it has answered.
	resp.Body = &onCloseBody{ReadCloser: resp.Body, onClose: release}
	return resp, nil
}

// acquire takes one of group's slots, waiting in line when all are taken.
func (l *mailboxLimiter) acquire(ctx context.Context, group string, urgent bool) error {
	l.mu.Lock()
	box := l.boxes[group]
	if box == nil {
		box = &mailbox{}
		l.boxes[group] = box
	}
	if box.inFlight < l.limit && len(box.waiting[0])+len(box.waiting[1]) == 0 {
		box.inFlight++
		l.mu.Unlock()
		return nil
	}
	lane := 1
	if urgent {
		lane = 0
	}
	granted := make(chan struct{})
	box.waiting[lane] = append(box.waiting[lane], granted)
	l.mu.Unlock()

	select {
	case <-granted:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		if i := slices.Index(box.waiting[lane], granted); i >= 0 {
			box.waiting[lane] = slices.Delete(box.waiting[lane], i, i+1)
			return ctx.Err()
		}
		// The slot was handed over as the context ended: pass it on.
		l.handOver(box)
		return ctx.Err()
	}
}

// busy reports whether a request for group would have to wait for a slot.
// Without a limit nothing queues here, yet Exchange's own limit may well be
// reached: busy then reports true, so that reads after creates go on sharing
// listings.
func (l *mailboxLimiter) busy(group string) bool {
	if l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	box := l.boxes[strings.ToLower(group)]
	return box != nil && box.inFlight >= l.limit
}

// release frees one of group's slots, handing it to the next waiter.
func (l *mailboxLimiter) release(group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handOver(l.boxes[group])
}

// handOver gives a slot that is being freed to the first waiter, urgent
// ones first, or returns it to the mailbox. l.mu must be held.
func (l *mailboxLimiter) handOver(box *mailbox) {
	for lane := range box.waiting {
		if len(box.waiting[lane]) > 0 {
			next := box.waiting[lane][0]
			box.waiting[lane] = box.waiting[lane][1:]
			close(next)
			return
		}
	}
	box.inFlight--
}

// mailboxOf returns the group of a request that Exchange serves from the
// group's mailbox: /…/groups/{id}/<anything>. A request for the group
// object itself is a directory request, not limited per mailbox.
func mailboxOf(path string) (string, bool) {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+2 < len(segments); i++ {
		if strings.EqualFold(segments[i], "groups") {
			return strings.ToLower(segments[i+1]), true
		}
	}
	return "", false
}

// onCloseBody runs onClose once the body is closed.
type onCloseBody struct {
	io.ReadCloser
	once    sync.Once
	onClose func()
}

func (b *onCloseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.onClose)
	return err
}

// loggingMiddleware writes one structured line per HTTP attempt. It sits
// innermost, so every attempt is visible. It logs no headers and no bodies:
// the Authorization header and message content stay out of logs.
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
		// An endpoint could echo anything here, the token included.
		fields["request_id"] = redactText(truncateText(resp.Header.Get("request-id")), bearerToken(req.Header.Get("Authorization")))
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
