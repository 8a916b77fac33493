package emulator

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options configures a Server. The zero value is a usable server that accepts
// no tokens.
type Options struct {
	// Latency is added to every request before it is handled (simulates
	// network and service time).
	Latency time.Duration
	// InvisibleFor keeps a newly created conversation (and its threads and
	// posts), or a thread newly added to a conversation, invisible for this
	// long: GET by id answers 404 ErrorItemNotFound and lists omit it
	// (Exchange eventual consistency, microsoft-graph-docs#92).
	InvisibleFor time.Duration
	// MailboxConcurrency limits requests in flight per group mailbox (requests
	// whose path is under /groups/{id}/...). 0 means unlimited. A request beyond
	// the limit gets 429 ApplicationThrottled with Retry-After. The in-flight
	// count includes time spent in Latency.
	MailboxConcurrency int
	// RetryAfterSeconds is the Retry-After of throttled answers; 1 when zero.
	RetryAfterSeconds int
	// PageSize is the page size of lists when the client sends no $top (and
	// no honoured Prefer: odata.maxpagesize); 10 when zero, and never more
	// than MaxPageSize.
	PageSize int
	// MaxPageSize is the service's page cap: no page of a list holds more,
	// whatever $top or a Prefer header asks for; the rest is reached through
	// @odata.nextLink. 1000 when zero. SetMaxPageSize changes it later.
	MaxPageSize int
	// Tokens are the bearer tokens accepted and who they stand for. A request
	// with any other token, or with none, gets 401.
	Tokens map[string]Principal
	// Seed seeds the id generator, so ids are deterministic per seed.
	Seed int64
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Faults are injected into mailbox requests from the start; SetFaults
	// changes them later.
	Faults Faults
	// LogRequest, when set, is called once per request after it is answered.
	// It exists for the standalone command's -v flag.
	LogRequest func(method, path string, status int, elapsed time.Duration)
	// Behaviour picks the emulator's answers where Graph's documentation is
	// silent; the zero value keeps the original choices. SetBehaviour
	// changes them later.
	Behaviour Behaviour
	// RefuseCreateStamps refuses creates and replies whose post carries
	// open extensions or single-value extended properties with 400, as a
	// service that does not take them in a new group post would (the docs
	// contradict each other on this; see stamps.go). SetRefuseCreateStamps
	// changes it later.
	RefuseCreateStamps bool
}

// Server is an in-memory Graph v1.0 endpoint. It implements http.Handler and
// serves paths under /v1.0/. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	store  *store
	faults faultInjector

	latency            atomic.Int64 // time.Duration
	invisibleFor       atomic.Int64 // time.Duration
	mailboxConcurrency atomic.Int64
	maxPageSize        atomic.Int64
	refuseCreateStamps atomic.Bool

	countersMu sync.Mutex
	counters   map[string]int

	inflightMu sync.Mutex
	inflight   map[string]int // requests in flight per lowercase group id

	// panics counts handler panics caught by the recover middleware. Tests
	// assert it stays zero: every input must end in a proper answer.
	panics    atomic.Int64
	lastPanic atomic.Value // string

	listenMu   sync.Mutex
	httpServer *http.Server
}

// New returns a server with the given options.
func New(opts Options) *Server {
	if opts.RetryAfterSeconds <= 0 {
		opts.RetryAfterSeconds = 1
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 10
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Tokens = maps.Clone(opts.Tokens)
	s := &Server{
		opts:     opts,
		store:    newStore(opts.Seed),
		counters: make(map[string]int),
		inflight: make(map[string]int),
	}
	s.SetLatency(opts.Latency)
	s.SetInvisibleFor(opts.InvisibleFor)
	s.SetMailboxConcurrency(opts.MailboxConcurrency)
	s.SetFaults(opts.Faults)
	s.SetMaxPageSize(opts.MaxPageSize)
	s.SetBehaviour(opts.Behaviour)
	s.SetRefuseCreateStamps(opts.RefuseCreateStamps)
	return s
}

func (s *Server) count(keys ...string) {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	for _, k := range keys {
		s.counters[k]++
	}
}

func (s *Server) now() time.Time {
	return s.opts.Now().UTC()
}

// call is the state of one request as it passes through the server.
type call struct {
	s               *Server
	w               *statusWriter
	r               *http.Request
	requestID       string
	clientRequestID string
	now             time.Time
	principal       Principal
	route           route
	query           queryOptions
}

// handleRequest answers one Graph request (ServeHTTP). The steps run in the
// order the real service applies them: authentication, routing, the mailbox
// concurrency limit, then the handler. Latency is spent while the mailbox
// slot is held, so slow requests keep their slot for longer, as they would
// on Exchange.
func (s *Server) handleRequest(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{
		s:         s,
		w:         &statusWriter{ResponseWriter: w, server: s},
		r:         r,
		requestID: newRequestID(),
		now:       s.now(),
	}
	c.clientRequestID = r.Header.Get("client-request-id")
	if c.clientRequestID == "" {
		c.clientRequestID = c.requestID
	}
	// Graph returns both ids as headers on every answer, success or not.
	c.w.Header().Set("request-id", c.requestID)
	c.w.Header().Set("client-request-id", c.clientRequestID)
	s.count("requests.total")
	if log := s.opts.LogRequest; log != nil {
		defer func() { log(r.Method, r.URL.RequestURI(), c.w.status, time.Since(start)) }()
	}
	defer s.recoverPanic(c)
	s.serve(c)
}

// recoverPanic turns a handler panic into a 500 so one bad request cannot
// take the whole server down. It is a safety net only: the tests and the fuzz
// target check that no input reaches it.
func (s *Server) recoverPanic(c *call) {
	p := recover()
	if p == nil {
		return
	}
	if p == http.ErrAbortHandler {
		panic(p)
	}
	s.panics.Add(1)
	s.lastPanic.Store(fmt.Sprint(p))
	if !c.w.wroteHeader {
		c.writeError(errInternal())
	}
}

func (s *Server) serve(c *call) {
	ctx := c.r.Context()
	principal, authErr := s.authenticate(c.r)
	if authErr != nil {
		s.sleepLatency(ctx)
		c.writeError(authErr)
		return
	}
	c.principal = principal

	rt, routeErr := parseRoute(c.r.URL.EscapedPath())
	if routeErr != nil {
		s.count("other")
		s.sleepLatency(ctx)
		c.writeError(routeErr)
		return
	}
	c.route = rt
	op, known := operations[rt.endpoint][c.r.Method]
	if !known {
		op.kind = "other"
	}
	s.count(op.kind)

	if rt.inMailbox() {
		release, ok := s.acquireMailbox(rt.groupID)
		if !ok {
			// The refusal is immediate, without Latency: a throttled request
			// never reaches the (simulated) service, and answering at once
			// keeps the window in which a slot is held the only thing that
			// decides who gets through.
			c.writeError(errThrottled(s.opts.RetryAfterSeconds))
			return
		}
		// The slot is freed as the answer starts: a request counts as in
		// flight until it has answered, and a client must never hold a
		// whole answer from a request the mailbox still counts. (Freed when
		// the handler returned, the slot of an answer larger than
		// net/http's write buffer stayed taken while the client already had
		// all of it, and the client's next request met a 429.)
		var once sync.Once
		free := func() { once.Do(release) }
		defer free()
		c.w.answering = free
	}
	if !s.sleepLatency(ctx) {
		return // the client went away; nobody is left to answer
	}
	c.now = s.now()

	if op.handle == nil {
		c.writeError(methodNotAllowed(rt.endpoint))
		return
	}
	q, queryErr := parseQuery(c.r.URL.RawQuery)
	if queryErr != nil {
		c.writeError(queryErr)
		return
	}
	c.query = q
	if rt.inMailbox() {
		if fault := s.faults.statusFault(); fault != nil {
			s.count("faults.status")
			c.writeError(fault)
			return
		}
		if err := s.checkMailboxReady(rt.groupID, c.now); err != nil {
			c.writeError(err)
			return
		}
	}
	drop := (op.kind == "conversations.create" || op.kind == "threads.create") && s.faults.dropAfterCreate()
	answer := c.w
	if drop {
		c.w = &statusWriter{ResponseWriter: &discardWriter{header: http.Header{}}, server: s}
	}
	if err := op.handle(s, c); err != nil {
		// A refused create changed nothing, so its answer is not the
		// ambiguous kind: it is given.
		c.w = answer
		c.writeError(err)
		return
	}
	if drop {
		// The create is applied; now the connection goes down before any
		// answer, and the client cannot tell whether it worked.
		s.count("faults.dropped")
		panic(http.ErrAbortHandler)
	}
}

// authenticate checks the bearer token. Graph's two messages tell an absent
// token apart from one it does not accept.
func (s *Server) authenticate(r *http.Request) (Principal, *apiError) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return Principal{}, errUnauthorized("Access token is empty.")
	}
	p, ok := s.opts.Tokens[token]
	if !ok {
		return Principal{}, errUnauthorized("Access token validation failure. Invalid audience.")
	}
	return p, nil
}

// acquireMailbox takes one of the group mailbox's concurrency slots. Outlook
// limits concurrent requests per app and mailbox (Graph's docs:
// concepts/throttling-limits) and answers the
// excess at once with 429 instead of queueing it.
func (s *Server) acquireMailbox(groupID string) (release func(), ok bool) {
	key := strings.ToLower(groupID)
	limit := int(s.mailboxConcurrency.Load())
	s.inflightMu.Lock()
	defer s.inflightMu.Unlock()
	if limit > 0 && s.inflight[key] >= limit {
		return nil, false
	}
	s.inflight[key]++
	return func() {
		s.inflightMu.Lock()
		defer s.inflightMu.Unlock()
		if s.inflight[key]--; s.inflight[key] <= 0 {
			delete(s.inflight, key)
		}
	}, true
}

// sleepLatency waits for the configured latency and reports false when the
// request's context ends first.
func (s *Server) sleepLatency(ctx context.Context) bool {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// statusWriter records the status of the answer and updates the status
// counters as soon as the status is written, so a client that has seen the
// answer also sees it counted.
type statusWriter struct {
	http.ResponseWriter
	server      *Server
	status      int
	wroteHeader bool
	// answering runs as the answer starts, before any of it is sent.
	answering func()
}

func (w *statusWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.status = status
	if w.answering != nil {
		w.answering()
	}
	var keys []string
	switch {
	case status == http.StatusUnauthorized:
		keys = append(keys, "status.401", "status.4xx")
	case status == http.StatusNotFound:
		keys = append(keys, "status.404", "status.4xx")
	case status == http.StatusTooManyRequests:
		keys = append(keys, "status.429", "status.4xx")
	case status >= 400 && status < 500:
		keys = append(keys, "status.4xx")
	case status >= 500:
		keys = append(keys, "status.5xx")
	}
	if len(keys) > 0 {
		w.server.count(keys...)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
