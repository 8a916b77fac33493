package graph

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Error is a failed Graph call, reduced to what a user needs to act on it and
// what Microsoft support asks for: the HTTP status, Graph's error code and
// message, and the request-id.
type Error struct {
	// Operation names what was attempted, e.g. "create conversation".
	Operation string
	// StatusCode is the HTTP status, or 0 when no response arrived.
	StatusCode      int
	Code            string
	Message         string
	RequestID       string
	ClientRequestID string
	Date            string
	// Attempts is how many times the request was sent, retries included.
	Attempts int
	// Err is the underlying failure when no HTTP response arrived
	// (connection refused, deadline exceeded, ...) or the answer could not
	// be used (Failure says which).
	Err error
	// Failure classifies a call that got no usable answer; "" when Graph
	// answered, if with an error status.
	Failure Failure
	// RetryAfter is how long Graph asked to wait before trying again, when
	// the provider did not wait because the operation's deadline comes
	// first; zero otherwise. RetryAfterHeader is Graph's Retry-After as sent.
	RetryAfter       time.Duration
	RetryAfterHeader string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation)
	b.WriteString(": ")
	switch {
	case e.Err != nil && (e.StatusCode == 0 || e.Failure != ""):
		b.WriteString(e.Cause())
	default:
		fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
		if e.Code != "" {
			b.WriteString(" ")
			b.WriteString(e.Code)
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; Graph asked to wait %s before trying again (Retry-After: %s), longer than the operation had left",
			DescribeWait(e.RetryAfter), e.RetryAfterHeader)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Cause is Err's text, cut to a few KB: the failure without an answer, or
// what was wrong with the answer. It is "" when Err is nil.
func (e *Error) Cause() string {
	if e.Err == nil {
		return ""
	}
	return truncateText(e.Err.Error())
}

// StatusCode returns the HTTP status of a Graph error, or 0.
func StatusCode(err error) int {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.StatusCode
	}
	return 0
}

// IsNotFound reports a 404 of any Graph error code: for conversations, a
// deleted object and one not yet visible both answer 404.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// newError converts what msgraph-sdk-go returned into an *Error. It never
// calls ODataError.Error(), which dereferences a nil message and panics on an
// error body without "error.message" (msgraph-sdk-go#434). Every text from
// Graph is cut to maxGraphTextBytes.
func newError(operation string, attempts int, err error) error {
	if err == nil {
		return nil
	}
	ge := &Error{Operation: operation, Attempts: max(attempts, 1)}
	var oe *odataerrors.ODataError
	var ae *abs.ApiError
	var ce *callError
	switch {
	case errors.As(err, &ce):
		// Refused before sending, no answer, or an answer not to be used:
		// the guard has put it into words.
		ge.Failure = ce.failure
		ge.StatusCode = ce.status
		ge.RequestID = ce.requestID
		ge.Err = ce
	case errors.As(err, &oe):
		ge.StatusCode = oe.ResponseStatusCode
		headers := oe.GetResponseHeaders()
		if main := oe.GetErrorEscaped(); main != nil {
			ge.Code = deref(main.GetCode())
			ge.Message = deref(main.GetMessage())
			if inner := main.GetInnerError(); inner != nil {
				ge.RequestID = deref(inner.GetRequestId())
				ge.ClientRequestID = deref(inner.GetClientRequestId())
				if d := inner.GetDate(); d != nil {
					ge.Date = d.UTC().Format("2006-01-02T15:04:05Z")
				}
			}
		}
		fillFromHeaders(ge, headers)
	case errors.As(err, &ae):
		ge.StatusCode = ae.ResponseStatusCode
		ge.Message = ae.Message
		fillFromHeaders(ge, ae.GetResponseHeaders())
	default:
		ge.Err = err
	}
	if ge.StatusCode == 0 && ge.Err == nil {
		ge.Err = err
	}
	ge.Code = truncateText(ge.Code)
	ge.Message = truncateText(ge.Message)
	ge.RequestID = truncateText(ge.RequestID)
	ge.ClientRequestID = truncateText(ge.ClientRequestID)
	return ge
}

func fillFromHeaders(ge *Error, headers *abs.ResponseHeaders) {
	if headers == nil {
		return
	}
	if v := headers.Get(refusedWaitHeader); len(v) > 0 {
		if wait, err := strconv.ParseInt(v[0], 10, 64); err == nil && wait > 0 {
			ge.RetryAfter = time.Duration(wait)
			if raw := headers.Get("Retry-After"); len(raw) > 0 {
				ge.RetryAfterHeader = truncateText(raw[0])
			}
		}
	}
	if ge.RequestID == "" {
		if v := headers.Get("request-id"); len(v) > 0 {
			ge.RequestID = v[0]
		}
	}
	if ge.ClientRequestID == "" {
		if v := headers.Get("client-request-id"); len(v) > 0 {
			ge.ClientRequestID = v[0]
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// DescribeWait says how long a wait is in the largest unit that keeps it
// readable: "90s", "3h0m0s", "12 days", "3170 years".
func DescribeWait(d time.Duration) string {
	const day = 24 * time.Hour
	const year = 365 * day
	switch {
	case d == math.MaxInt64:
		return "longer than 292 years"
	case d >= 2*year:
		return fmt.Sprintf("%d years", d/year)
	case d >= 2*day:
		return fmt.Sprintf("%d days", d/day)
	}
	return d.Round(time.Second).String()
}
