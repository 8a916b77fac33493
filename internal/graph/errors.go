package graph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	// (connection refused, deadline exceeded, ...).
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Operation)
	b.WriteString(": ")
	switch {
	case e.StatusCode == 0 && e.Err != nil:
		b.WriteString(e.Err.Error())
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
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request-id %s)", e.RequestID)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

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
// error body without "error.message" (msgraph-sdk-go#434).
func newError(operation string, attempts int, err error) error {
	if err == nil {
		return nil
	}
	ge := &Error{Operation: operation, Attempts: max(attempts, 1)}
	var oe *odataerrors.ODataError
	var ae *abs.ApiError
	switch {
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
	return ge
}

func fillFromHeaders(ge *Error, headers *abs.ResponseHeaders) {
	if headers == nil {
		return
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
