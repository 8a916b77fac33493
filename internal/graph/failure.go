package graph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// Failure says why a Graph call ended without a usable answer from Graph,
// and so what can be concluded from it. The zero value means that Graph
// answered, if only with an error status: see Error.StatusCode.
type Failure string

const (
	// FailureUnreachable: no connection could be made to the endpoint (the
	// name did not resolve, the connection was refused or timed out). The
	// request never left this machine, so sending it again is safe, a
	// create included.
	FailureUnreachable Failure = "unreachable"
	// FailureTLS: the TLS handshake with the endpoint failed (a certificate
	// that is not trusted or not for the host, or no TLS at all). The
	// request was not sent, and sending it again cannot succeed.
	FailureTLS Failure = "tls"
	// FailureRefused: the provider refused to send the request: it was not
	// for the configured endpoint's origin (scheme, host and port), its URL
	// was relative or not http(s), or a path segment was empty, "." or "..",
	// which a front end could resolve to another object. Nothing was sent.
	FailureRefused Failure = "refused"
	// FailureNoAnswer: the request was sent, or may have been, but no answer
	// came: the connection broke or the attempt timed out. Graph may have
	// acted on it.
	FailureNoAnswer Failure = "no answer"
	// FailureBadAnswer: an answer came but cannot be used: a redirect, a
	// success status Graph does not use for the call, a body that is not
	// JSON, too large, or that fails validation (an item without an id, an
	// object other than the one asked for, a broken @odata.nextLink). Graph,
	// or whatever answered in its place, may have acted on the request.
	FailureBadAnswer Failure = "bad answer"
)

// MayHaveReachedGraph reports whether a request that failed this way may
// have been acted on: true when it was sent and no usable answer came back.
// A create that fails so must be searched for before it is sent again.
func (f Failure) MayHaveReachedGraph() bool {
	return f == FailureNoAnswer || f == FailureBadAnswer
}

// FailureOf classifies err, which may be a *Error, an error returned by
// msgraph-sdk-go, or a round trip's error (a *url.Error): "" when err is nil,
// when Graph answered with an error status, and for errors raised before
// anything was sent that are none of these (a credential that could not
// get a token, a request that could not be built).
func FailureOf(err error) Failure {
	if err == nil {
		return ""
	}
	var ge *Error
	if errors.As(err, &ge) && ge.Failure != "" {
		return ge.Failure
	}
	var ce *callError
	if errors.As(err, &ce) {
		return ce.failure
	}
	var apiErr abs.ApiErrorable
	if ge != nil || errors.As(err, &apiErr) {
		return ""
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return classifyTransportError(err)
	}
	return ""
}

// classifyTransportError says what an error of an HTTP round trip means.
// Anything not known to have happened before the request was written counts
// as sent.
func classifyTransportError(err error) Failure {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return FailureUnreachable
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		switch opErr.Op {
		case "dial":
			return FailureUnreachable
		case "remote error":
			// A TLS alert from the server during the handshake.
			return FailureTLS
		}
	}
	var (
		recordErr    tls.RecordHeaderError
		verifyErr    *tls.CertificateVerificationError
		authorityErr x509.UnknownAuthorityError
		hostnameErr  x509.HostnameError
		invalidErr   x509.CertificateInvalidError
	)
	if errors.As(err, &recordErr) || errors.As(err, &verifyErr) || errors.As(err, &authorityErr) ||
		errors.As(err, &hostnameErr) || errors.As(err, &invalidErr) {
		return FailureTLS
	}
	return FailureNoAnswer
}

// callError is a request refused before it was sent, a transport failure
// put into words, or an answer that could not be used. It reaches callers
// inside the *url.Error of net/http, or as the error of reading a body, and
// newError lifts it into an *Error.
type callError struct {
	failure Failure
	// status and requestID describe the answer, when one came.
	status    int
	requestID string
	// text says what happened, without the operation's name.
	text  string
	cause error
}

func (e *callError) Error() string { return e.text }

func (e *callError) Unwrap() error { return e.cause }

// transportFailure puts an error of the round trip to endpoint into words.
// An unreachable endpoint is named, with a hint when it is on this machine:
// there it is usually the emulator, not running or on another port.
func transportFailure(endpoint *url.URL, err error) error {
	var ce *callError
	if errors.As(err, &ce) {
		return err
	}
	failure := classifyTransportError(err)
	cause := transportCause(err)
	var text string
	switch failure {
	case FailureUnreachable:
		text = fmt.Sprintf("could not reach %s: %s", endpoint, cause)
		if IsLoopbackHost(endpoint.Hostname()) {
			text += " (the endpoint is on this machine: is the Graph emulator running, and on this port?)"
		}
	case FailureTLS:
		text = fmt.Sprintf("the TLS handshake with %s failed: %s", endpoint, cause)
	default:
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			text = fmt.Sprintf("no answer from %s: %s", endpoint, cause)
		} else {
			text = fmt.Sprintf("the connection to %s failed before an answer came: %s", endpoint, cause)
		}
	}
	return &callError{failure: failure, text: text, cause: err}
}

// transportCause is the part of a transport error that says what went
// wrong, without the request's URL, which net/http puts in front.
func transportCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return strings.TrimSpace(err.Error())
}
