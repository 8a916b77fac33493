// Package graph is the provider's only way to Microsoft Graph. It wraps the
// parts of msgraph-sdk-go the provider uses (the groups request builders,
// models and ODataError) behind small typed functions, and owns what every
// call needs: authentication, retry, structured logging and error
// conversion. It never imports the Terraform glue.
//
// Only the groups and models packages of msgraph-sdk-go are imported, with an
// adapter from msgraph-sdk-go-core: the SDK's root package imports every
// request builder of Graph and roughly doubles the cold build.
package graph

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graphwire"
)

// Options configure a Client.
type Options struct {
	// Endpoint is the Graph service root including the version; checked by
	// ParseEndpoint.
	Endpoint string
	// Credential produces bearer tokens: internal/auth's credentials (an
	// access_token, or any azidentity credential).
	Credential azcore.TokenCredential
	// Scopes requested from Credential; defaults to the endpoint's
	// "/.default" scope. Set it when Endpoint is a proxy or an emulator in
	// front of Graph: the token is still for Graph's audience (the
	// provider passes its environment's scope). Whatever the scopes, the
	// token is sent only to Endpoint's host.
	Scopes []string
	// UserAgent names the caller, e.g. "terraform-provider-msgraph/1.2.3".
	UserAgent string
	// Transport is the HTTP transport under the middleware; nil means a
	// clone of http.DefaultTransport.
	Transport http.RoundTripper
	// RetryBaseDelay is the first backoff step when Graph sends no
	// Retry-After; zero means one second.
	RetryBaseDelay time.Duration
	// AttemptTimeout bounds one HTTP attempt; zero means one minute.
	AttemptTimeout time.Duration
	// MaxConcurrentRequestsPerGroup caps requests in flight per group
	// mailbox; Exchange answers more than 4 with 429. Zero or less means no
	// cap.
	MaxConcurrentRequestsPerGroup int
	// VisibilityGrace is how long a conversation may stay invisible to
	// reads after it was created; zero means 30 seconds.
	VisibilityGrace time.Duration
	// CoalesceReads serves reads of conversations that arrive together
	// from one shared listing of their group (see coalesce.go).
	CoalesceReads bool
}

// Client performs Graph calls. It is safe for concurrent use.
type Client struct {
	adapter    *msgraphcore.GraphRequestAdapterBase
	groups     *groups.GroupsRequestBuilder
	credential azcore.TokenCredential
	scopes     []string
	// retryBaseDelay also paces waits that are not HTTP retries, such as
	// waiting for a new conversation to become visible.
	retryBaseDelay time.Duration
	// visibilityGrace bounds how long a created conversation may be missing
	// from reads before it is taken as not created.
	visibilityGrace time.Duration
	// claimed holds the ids of conversations and threads this client
	// created or adopted, so two creates whose answers were lost never
	// adopt the same object.
	claimed sync.Map
	// newCreateKey makes the idempotency key of one create; tests replace
	// it.
	newCreateKey func() string
	// stampsRefused is set once Graph refused an idempotency key on a new
	// post: every later create goes unstamped (see idempotency.go).
	stampsRefused     atomic.Bool
	stampsRefusedOnce sync.Once
	// coalesceReads and listings share group listings between reads.
	coalesceReads bool
	listings      *conversationListings
	// filterRefused is set once Graph refused $filter on
	// lastDeliveredDateTime: later listings go without it (see
	// conversations_list.go).
	filterRefused     atomic.Bool
	filterRefusedOnce sync.Once
	// limiter is the per-mailbox limiter of the middleware; reads after
	// creates ask it whether the group's mailbox is busy.
	limiter *mailboxLimiter
	// endpoint and origin are where requests, and the token, may go; links
	// from Graph leading elsewhere are not followed.
	endpoint *url.URL
	origin   origin
	// tokens cuts the tokens handed out from texts that quote Graph.
	tokens *recentTokens
}

var registerSerializers sync.Once

// NewClient builds a Client. It sends no request.
func NewClient(opts Options) (*Client, error) {
	return newClient(opts, nil)
}

// newClient builds a Client with the provider's middleware, or with the
// HTTP client that replaceHTTPClient builds: make bench's naive baseline,
// which only builds with the msgraphbench tag have (sdk_defaults.go).
func newClient(opts Options, replaceHTTPClient func(http.RoundTripper, *msgraphcore.GraphClientOptions) *http.Client) (*Client, error) {
	endpoint, err := ParseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	if opts.Credential == nil {
		return nil, errors.New("no credential configured")
	}
	scopes := opts.Scopes
	if len(scopes) == 0 {
		scopes = []string{endpoint.Scheme + "://" + endpoint.Host + "/.default"}
	}
	if opts.RetryBaseDelay <= 0 {
		opts.RetryBaseDelay = time.Second
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = time.Minute
	}
	if opts.VisibilityGrace <= 0 {
		opts.VisibilityGrace = 30 * time.Second
	}
	registerSerializers.Do(func() {
		// The SDK's root package registers these in its client constructor;
		// without that package the registration is ours.
		abs.RegisterDefaultSerializer(func() absser.SerializationWriterFactory { return jsonser.NewJsonSerializationWriterFactory() })
		abs.RegisterDefaultDeserializer(func() absser.ParseNodeFactory { return jsonser.NewJsonParseNodeFactory() })
	})

	tokens, err := newTokenProvider(opts.Credential, scopes, endpoint)
	if err != nil {
		return nil, err
	}
	clientOptions := msgraphcore.GraphClientOptions{GraphServiceVersion: "v1.0", GraphServiceLibraryVersion: graphwire.SDKVersion()}
	transport := opts.Transport
	if transport == nil {
		// A clone, so that our connection settings never leak into other
		// users of the default transport; a program that replaced it with
		// another kind of RoundTripper gets that one.
		transport = http.DefaultTransport
		if base, ok := http.DefaultTransport.(*http.Transport); ok {
			transport = base.Clone()
		}
	}
	limiter := newMailboxLimiter(opts.MaxConcurrentRequestsPerGroup)
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, middlewareChain(opts, endpoint, &clientOptions, limiter)...),
		// Redirects are not followed: Graph does not redirect these calls,
		// and following one could carry the request somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		// No client-wide timeout: every operation carries its own deadline,
		// which also bounds retries.
	}
	if replaceHTTPClient != nil {
		httpClient = replaceHTTPClient(transport, &clientOptions)
		limiter = newMailboxLimiter(0) // not in the chain: it knows nothing
	}
	adapter, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		absauth.NewBaseBearerTokenAuthenticationProvider(tokens), clientOptions, nil, nil, httpClient)
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(endpoint.String())
	return &Client{
		adapter:         adapter,
		groups:          groups.NewGroupsRequestBuilderInternal(map[string]string{}, adapter),
		credential:      opts.Credential,
		scopes:          scopes,
		retryBaseDelay:  opts.RetryBaseDelay,
		visibilityGrace: opts.VisibilityGrace,
		coalesceReads:   opts.CoalesceReads,
		listings:        newConversationListings(),
		limiter:         limiter,
		endpoint:        endpoint,
		origin:          originOf(endpoint),
		tokens:          tokens.handedOut,
		newCreateKey:    newCreateKey,
	}, nil
}

// splitUserAgent splits "product/version" for kiota's user agent handler.
func splitUserAgent(ua string) (product, version string) {
	if ua == "" {
		return "terraform-provider-msgraph", "dev"
	}
	product, version, found := strings.Cut(ua, "/")
	if !found {
		version = "dev"
	}
	return product, version
}

// VisibilityGrace is how long a new conversation may stay invisible to
// reads before its absence means it is gone.
func (c *Client) VisibilityGrace() time.Duration { return c.visibilityGrace }

// Endpoint returns the service root the client talks to.
func (c *Client) Endpoint() *url.URL {
	u, _ := url.Parse(c.adapter.GetBaseUrl())
	return u
}
