package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graphwire"
)

// DefaultEndpoint is Graph's global v1.0 service root.
const DefaultEndpoint = "https://graph.microsoft.com/v1.0"

// client is msgraph-sdk-go set up for probing: every request and every
// throttled answer is counted, at most maxInFlight requests are in flight,
// Retry-After is honoured, and the token goes to one origin only.
type client struct {
	endpoint *url.URL
	adapter  *msgraphcore.GraphRequestAdapterBase
	groups   *groups.GroupsRequestBuilder
	meter    *meter
}

// clientOptions configure newClient.
type clientOptions struct {
	endpoint    *url.URL
	token       string
	transport   http.RoundTripper
	maxInFlight int
	maxRequests int
	// retryBase is the first backoff step when a retried answer carries no
	// Retry-After.
	retryBase time.Duration
	// maxRetryWait is the longest Retry-After the client waits for; a
	// longer one ends the request with the throttled answer.
	maxRetryWait time.Duration
}

var registerSerializers sync.Once

func newClient(opts clientOptions) (*client, error) {
	registerSerializers.Do(func() {
		// The SDK's root package registers these in its client constructor;
		// without that package the registration is ours.
		abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return jsonser.NewJsonSerializationWriterFactory() })
		abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return jsonser.NewJsonParseNodeFactory() })
	})
	m := &meter{limit: int64(opts.maxRequests), origin: originOf(opts.endpoint)}
	clientOptions := msgraphcore.GraphClientOptions{GraphServiceVersion: "v1.0", GraphServiceLibraryVersion: graphwire.SDKVersion()}
	transport := opts.transport
	if transport == nil {
		transport = http.DefaultTransport
		if base, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = base.Clone()
		}
	}
	// An explicit list, outermost first: kiota's default list comes out in
	// random order, gzips bodies and re-sends POSTs after a 5xx. The limiter
	// sits inside the retry, so a request waiting out a Retry-After holds no
	// slot; the meter is innermost and sees every attempt.
	middleware := []khttp.Middleware{
		msgraphcore.NewGraphTelemetryHandler(&clientOptions),
		khttp.NewUserAgentHandlerWithOptions(&khttp.UserAgentHandlerOptions{Enabled: true, ProductName: "msgraph-conformance", ProductVersion: "1"}),
		khttp.NewParametersNameDecodingHandler(),
		retrier{base: opts.retryBase, maxWait: opts.maxRetryWait, meter: m},
		newLimiter(opts.maxInFlight),
		m,
	}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, middleware...),
		// Graph does not redirect these calls; following a redirect could
		// carry a request somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{opts.endpoint.Hostname()})
	if err != nil {
		return nil, err
	}
	auth := absauth.NewBaseBearerTokenAuthenticationProvider(&originToken{token: opts.token, origin: originOf(opts.endpoint), hosts: hosts})
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, clientOptions, nil, nil, httpClient)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(strings.TrimSuffix(opts.endpoint.String(), "/"))
	return &client{
		endpoint: opts.endpoint,
		adapter:  adapter,
		groups:   groups.NewGroupsRequestBuilderInternal(map[string]string{}, adapter),
		meter:    m,
	}, nil
}

// ParseEndpoint checks a Graph service root: https (plain http only on a
// loopback address, where the emulator listens), no credentials, query or
// fragment, and the v1.0 version the probes are written for.
func ParseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("endpoint %q is not a URL: %w", raw, err)
	}
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		return nil, fmt.Errorf("endpoint %q must use https (plain http only on a loopback address)", raw)
	case u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("endpoint %q must be a service root such as %s, without credentials, query or fragment", raw, DefaultEndpoint)
	case strings.TrimSuffix(u.Path, "/") != "/v1.0":
		return nil, fmt.Errorf("endpoint %q must end in /v1.0: the probes are written for Graph v1.0", raw)
	}
	u.Path = "/v1.0"
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// originOf is scheme://host:port with the default port spelt out, so two
// spellings of one origin compare equal.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// originToken hands the bearer token to requests for exactly one origin:
// scheme, host and port. kiota's host validator ignores scheme and port.
type originToken struct {
	token  string
	origin string
	hosts  *absauth.AllowedHostsValidator
}

func (p *originToken) GetAuthorizationToken(_ context.Context, u *url.URL, _ map[string]any) (string, error) {
	if u == nil || originOf(u) != p.origin {
		return "", nil
	}
	return p.token, nil
}

// GetAllowedHostsValidator is kiota's looser rule (the host alone);
// GetAuthorizationToken applies the stricter one.
func (p *originToken) GetAllowedHostsValidator() *absauth.AllowedHostsValidator {
	return p.hosts
}

// errOtherOrigin refuses a request that would leave the endpoint's origin,
// such as a nextLink pointing elsewhere.
var errOtherOrigin = errors.New("refusing a request to another origin than the endpoint's")

// meter counts every attempt that leaves the client, enforces the request
// budget, refuses other origins, and hands each answer's status and headers
// to a capture carried by the request's context.
type meter struct {
	origin    string
	limit     int64 // requests allowed; raised for the clean-up
	requests  atomic.Int64
	throttled atomic.Int64
}

func (m *meter) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != m.origin {
		return nil, fmt.Errorf("%w: %s", errOtherOrigin, req.URL.Redacted())
	}
	if n := m.requests.Add(1); m.limit > 0 && n > atomic.LoadInt64(&m.limit) {
		m.requests.Add(-1)
		return nil, fmt.Errorf("the run's budget of %d requests is spent", atomic.LoadInt64(&m.limit))
	}
	resp, err := pipeline.Next(req, index)
	if resp != nil {
		if resp.StatusCode == http.StatusTooManyRequests {
			m.throttled.Add(1)
		}
		if c, ok := req.Context().Value(captureKey{}).(*capture); ok {
			c.record(req, resp)
		}
	}
	return resp, err
}

// allow raises the budget by n requests (the clean-up must never be
// stopped by a budget the probes spent).
func (m *meter) allow(n int64) {
	if atomic.LoadInt64(&m.limit) > 0 {
		atomic.AddInt64(&m.limit, n)
	}
}

type captureKey struct{}

// capture holds the last answer of the requests made with its context: the
// SDK returns parsed bodies, and a few probes need a response header.
type capture struct {
	mu     sync.Mutex
	status int
	header http.Header
	url    string
}

func withCapture(ctx context.Context) (context.Context, *capture) {
	c := &capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

func (c *capture) record(req *http.Request, resp *http.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.header, c.url = resp.StatusCode, resp.Header.Clone(), req.URL.String()
}

func (c *capture) headerValue(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.header.Get(name)
}

// limiter keeps at most n requests in flight: Exchange serves 4 per app and
// mailbox and answers more with 429.
type limiter struct{ slots chan struct{} }

func newLimiter(n int) limiter { return limiter{slots: make(chan struct{}, max(n, 1))} }

func (l limiter) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	select {
	case l.slots <- struct{}{}:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	resp, err := pipeline.Next(req, index)
	if err != nil || resp == nil {
		<-l.slots
		return resp, err
	}
	// The slot is held until the answer is read: until then the service
	// may still count the request.
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { <-l.slots }}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// retrier re-sends what Graph asks to be re-sent. A 429 is answered before
// any work is done, so every method is re-sent after it; 503 and 504 may
// hide work done, so only requests that can be repeated safely are. The
// wait is Retry-After when the answer has one (never shorter), otherwise
// an exponential backoff; a Retry-After longer than maxWait, or one that
// would outlive the context, ends the request with the answer.
type retrier struct {
	base    time.Duration
	maxWait time.Duration
	meter   *meter
}

const maxAttempts = 6

func (r retrier) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			req.Header.Set("Retry-Attempt", strconv.Itoa(attempt-1))
			if err := graphwire.RewindBody(req); err != nil {
				return nil, err
			}
		}
		resp, err := pipeline.Next(req, index)
		wait, again := r.decide(req, resp, err, attempt)
		if !again {
			return resp, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (r retrier) decide(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= maxAttempts || req.Context().Err() != nil || errors.Is(err, errOtherOrigin) {
		return 0, false
	}
	repeatable := req.Method != http.MethodPost
	if err != nil {
		return r.backoff(attempt), repeatable
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if !repeatable {
			return 0, false
		}
	default:
		return 0, false
	}
	if wait, ok := graphwire.RetryAfter(resp.Header.Get("Retry-After")); ok {
		return wait, wait <= r.maxWait
	}
	return r.backoff(attempt), true
}

func (r retrier) backoff(attempt int) time.Duration {
	d := r.base << min(attempt-1, 10)
	return d/2 + rand.N(d/2+1)
}
