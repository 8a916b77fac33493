//go:build msgraphbench

package graph

import (
	"net/http"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// NewClientWithSDKDefaults builds a Client as NewClient does, with the
// HTTP client msgraph-sdk-go builds for itself instead of the provider's
// middleware (sdkDefaultHTTPClient). It is the naive baseline of make bench,
// and exists only in builds with the msgraphbench tag, with which make bench
// builds the provider it measures.
func NewClientWithSDKDefaults(opts Options) (*Client, error) {
	return newClient(opts, sdkDefaultHTTPClient)
}

// sdkDefaultHTTPClient is the HTTP client msgraph-sdk-go builds for itself
// (msgraphcore.GetDefaultClient): the SDK's default middleware, that is
// kiota's retry handler (at most 3 retries of a 429, 503 or 504, POSTs
// included), redirect, compression, parameter decoding, user agent and
// header inspection handlers plus Graph's telemetry and URL replacement, and
// a 100-second client timeout. There is no mailbox limiter and none of the
// provider's retry tuning (deadline-bounded retries, no blind POST resends,
// per-attempt timeouts).
//
// It exists only as the naive baseline of make bench
// (NewClientWithSDKDefaults). The only additions are the innermost logging
// middleware and answer recorder, which observe each attempt and change
// nothing.
func sdkDefaultHTTPClient(transport http.RoundTripper, clientOptions *msgraphcore.GraphClientOptions) *http.Client {
	middleware := append(msgraphcore.GetDefaultMiddlewaresWithOptions(clientOptions), loggingMiddleware{}, answerRecorder{})
	return &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, middleware...),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: 100 * time.Second,
	}
}

// answerRecorder fills the answerRecord of each attempt, as the answer guard
// does in the provider's own chain: the naive client has no guard, and its
// creates still need to tell "never sent" from "sent, answer unusable".
type answerRecorder struct{}

func (answerRecorder) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	record := answerRecordFrom(req.Context())
	record.markSent()
	resp, err := pipeline.Next(req, index)
	if resp != nil {
		record.begin(resp.StatusCode, resp.Header.Get("request-id"))
	}
	return resp, err
}
