package graph

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

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

// attemptCounterKey carries, per Graph operation, how many requests were
// sent, so diagnostics can say so. The logging middleware counts them: as
// the innermost link of the chain it sees every attempt, retries included.
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
