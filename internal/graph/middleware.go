package graph

import (
	"io"
	"net/url"
	"sync"
	"time"

	khttp "github.com/microsoft/kiota-http-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// middlewareChain is the way every request of a Client takes to Graph,
// outermost first. Each link lives in its own file: the retry in retry.go,
// the per-mailbox limiter in limiter.go, the answer guard in guard.go, the
// logging in logging.go.
//
// An explicit list: kiota's default middleware comes out in random order
// (it ranges over a map), its compression handler gzips bodies and
// mislabels retried ones, and its retry handler re-sends POSTs. The order
// is part of the design: the retry sits outside the limiter, so a request
// waiting out a Retry-After holds no mailbox slot; the guard sits inside
// both, so the retry sees the failures it classified; the logging is
// innermost, so it sees every attempt and every answer as it came.
func middlewareChain(opts Options, endpoint *url.URL, clientOptions *msgraphcore.GraphClientOptions, limiter *mailboxLimiter) []khttp.Middleware {
	product, version := splitUserAgent(opts.UserAgent)
	return []khttp.Middleware{
		msgraphcore.NewGraphTelemetryHandler(clientOptions),
		khttp.NewUserAgentHandlerWithOptions(&khttp.UserAgentHandlerOptions{
			Enabled: true, ProductName: product, ProductVersion: version,
		}),
		khttp.NewParametersNameDecodingHandler(),
		retryMiddleware{baseDelay: opts.RetryBaseDelay, maxDelay: 30 * time.Second, attemptTimeout: opts.AttemptTimeout, sleep: sleepContext},
		limiter,
		newAnswerGuard(endpoint),
		loggingMiddleware{},
	}
}

// onCloseBody runs onClose once the body is closed: the retry ends an
// attempt's timeout, and the limiter frees a mailbox slot, only once the
// answer has been read.
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
