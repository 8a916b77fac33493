package graph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

func TestClassifyTransportError(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://graph.example/v1.0/x", Err: err} }
	tests := []struct {
		name string
		err  error
		want Failure
	}{
		{"DNS", wrap(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "graph.example"}}), FailureUnreachable},
		{"bare DNS", &net.DNSError{Err: "server misbehaving"}, FailureUnreachable},
		{"refused", wrap(&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}), FailureUnreachable},
		{"unknown authority", wrap(x509.UnknownAuthorityError{}), FailureTLS},
		{"wrong host", wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "graph.example"}), FailureTLS},
		{"expired", wrap(x509.CertificateInvalidError{Reason: x509.Expired}), FailureTLS},
		{"verification", wrap(&tls.CertificateVerificationError{Err: errors.New("x")}), FailureTLS},
		{"plain http answer", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), FailureTLS},
		{"alert", wrap(&net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}), FailureTLS},
		{"reset", wrap(&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}), FailureNoAnswer},
		{"EOF", wrap(io.ErrUnexpectedEOF), FailureNoAnswer},
		{"deadline", wrap(context.DeadlineExceeded), FailureNoAnswer},
	}
	for _, tt := range tests {
		if got := classifyTransportError(tt.err); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if got := FailureOf(&url.Error{Op: "Get", URL: "u", Err: tt.err}); got != tt.want {
			t.Errorf("%s: FailureOf = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFailureOf(t *testing.T) {
	t.Parallel()
	refused := &callError{failure: FailureRefused, text: "refused"}
	tests := []struct {
		name string
		err  error
		want Failure
	}{
		{"nil", nil, ""},
		{"Graph answered", &Error{Operation: "x", StatusCode: 404}, ""},
		{"classified *Error", &Error{Operation: "x", Failure: FailureBadAnswer}, FailureBadAnswer},
		{"callError inside url.Error", &url.Error{Op: "Get", URL: "u", Err: refused}, FailureRefused},
		{"converted", newError("x", 1, &url.Error{Op: "Get", URL: "u", Err: refused}), FailureRefused},
		{"wrapped *Error", fmt.Errorf("context: %w", &Error{Operation: "x", Failure: FailureNoAnswer}), FailureNoAnswer},
		{"Graph's error answer", odataerrors.NewODataError(), ""},
		{"kiota's error answer", &abs.ApiError{ResponseStatusCode: 503}, ""},
		{"credential", errors.New("signing in with the Azure CLI failed"), ""},
		{"raw round trip", &url.Error{Op: "Get", URL: "u", Err: &net.OpError{Op: "read", Err: errors.New("reset")}}, FailureNoAnswer},
	}
	for _, tt := range tests {
		if got := FailureOf(tt.err); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	for _, f := range []Failure{FailureUnreachable, FailureTLS, FailureRefused} {
		if f.MayHaveReachedGraph() {
			t.Errorf("%s may have reached Graph", f)
		}
	}
	for _, f := range []Failure{FailureNoAnswer, FailureBadAnswer} {
		if !f.MayHaveReachedGraph() {
			t.Errorf("%s cannot have reached Graph", f)
		}
	}
}

// The text of a transport failure names the endpoint and the cause, not the
// request's URL; only a loopback endpoint gets the emulator hint.
func TestTransportFailureText(t *testing.T) {
	t.Parallel()
	refused := &url.Error{Op: "Get", URL: "http://127.0.0.1:9/v1.0/groups/g/conversations?$select=id",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}}
	loopback, _ := url.Parse("http://127.0.0.1:9/v1.0")
	remote, _ := url.Parse("https://graph.contoso.example/v1.0")
	tests := []struct {
		endpoint *url.URL
		want     string
	}{
		{loopback, "could not reach http://127.0.0.1:9/v1.0: dial tcp: connect: connection refused (the endpoint is on this machine: is the Graph emulator running, and on this port?)"},
		{remote, "could not reach https://graph.contoso.example/v1.0: dial tcp: connect: connection refused"},
	}
	for _, tt := range tests {
		err := transportFailure(tt.endpoint, refused)
		if err.Error() != tt.want {
			t.Errorf("got  %q\nwant %q", err, tt.want)
		}
		if strings.Contains(err.Error(), "$select") || FailureOf(err) != FailureUnreachable || !errors.Is(err, refused.Err) {
			t.Errorf("%v: the URL is named, or the failure is lost", err)
		}
	}
}

func TestTruncateText(t *testing.T) {
	t.Parallel()
	if got := truncateText("short"); got != "short" {
		t.Fatalf("short text changed: %q", got)
	}
	long := strings.Repeat("é", maxGraphTextBytes) // 2 bytes a rune
	got := truncateText(long)
	if len(got) > maxGraphTextBytes+64 || !strings.HasSuffix(got, fmt.Sprintf("(cut to %d of %d bytes)", maxGraphTextBytes, len(long))) ||
		!strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("truncateText = %.80q…", got)
	}
}
