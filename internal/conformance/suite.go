package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Options configure a run.
type Options struct {
	// Endpoint is the Graph service root, DefaultEndpoint when empty.
	Endpoint string
	// Token is a delegated bearer token for Endpoint. It is sent to
	// Endpoint's origin only.
	Token string
	// GroupID is an existing Microsoft 365 group the run may create
	// conversations in. Use a group made for testing: members who follow
	// the group receive every post by mail.
	GroupID string
	// CreateGroups lets the run create (and delete) a Microsoft 365 group,
	// to measure how long a new group's mailbox takes to answer, and a
	// security group, to see what a group without a mailbox answers. It
	// needs Group.ReadWrite.All and is off unless asked for.
	CreateGroups bool
	// NonUnifiedGroupID is an existing group without a mailbox (a security
	// group) the run may read, instead of creating one.
	NonUnifiedGroupID string
	// Recipients are the addresses the recipient probes put on posts and
	// threads; by default the signed-in user's own address, so that no one
	// else gets mail.
	Recipients []string
	// Replies is how many replies the posts probe adds to one thread: 101
	// by default, one more than Graph's reported cap of 100 posts per list.
	Replies int
	// Skip lists probe ids not to run (see Probes).
	Skip []string
	// Poll is the interval of waits that poll for a new object to be
	// visible; 2 s by default.
	Poll time.Duration
	// MailboxPoll is the interval of the requests that wait for a new
	// group's mailbox, which may take many minutes; 10 s by default.
	MailboxPoll time.Duration
	// VisibilityWait bounds the wait for a new conversation to be
	// readable; 60 s by default.
	VisibilityWait time.Duration
	// MailboxWait bounds the wait for a new group's mailbox; 15 minutes by
	// default (Exchange has been seen to take up to 45).
	MailboxWait time.Duration
	// Timeout bounds the probes (the clean-up has its own bound); 30
	// minutes by default.
	Timeout time.Duration
	// CleanupTimeout bounds the clean-up; 3 minutes by default.
	CleanupTimeout time.Duration
	// MaxRequests is the run's request budget; 3000 by default, well under
	// Exchange's 10,000 per 10 minutes per app and mailbox.
	MaxRequests int
	// MaxInFlight caps requests in flight; 4 (Exchange's limit per app and
	// mailbox) by default and at most.
	MaxInFlight int
	// RetryBase is the first backoff step of a retry without Retry-After;
	// 1 s by default.
	RetryBase time.Duration
	// MaxRetryWait is the longest Retry-After honoured; 2 minutes by
	// default.
	MaxRetryWait time.Duration
	// Transport carries the requests; a clone of http.DefaultTransport when
	// nil.
	Transport http.RoundTripper
	// Log receives a line per step; nothing when nil.
	Log io.Writer
	// RunID names the run's objects; random when empty.
	RunID string
	// Build describes the tool in the report.
	Build string
}

func (o *Options) defaults() error {
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	if strings.TrimSpace(o.Token) == "" {
		return errors.New("no token: a delegated access token for Microsoft Graph is needed")
	}
	if !isGUID(o.GroupID) {
		return fmt.Errorf("group id %q is not a GUID", o.GroupID)
	}
	if o.NonUnifiedGroupID != "" && !isGUID(o.NonUnifiedGroupID) {
		return fmt.Errorf("non-unified group id %q is not a GUID", o.NonUnifiedGroupID)
	}
	for _, a := range o.Recipients {
		if !strings.Contains(a, "@") {
			return fmt.Errorf("recipient %q is not an email address", a)
		}
	}
	setDefault(&o.Replies, 101)
	setDefault(&o.Poll, 2*time.Second)
	setDefault(&o.MailboxPoll, 10*time.Second)
	setDefault(&o.VisibilityWait, time.Minute)
	setDefault(&o.MailboxWait, 15*time.Minute)
	setDefault(&o.Timeout, 30*time.Minute)
	setDefault(&o.CleanupTimeout, 3*time.Minute)
	setDefault(&o.MaxRequests, 3000)
	setDefault(&o.MaxInFlight, 4)
	o.MaxInFlight = min(o.MaxInFlight, 4)
	setDefault(&o.RetryBase, time.Second)
	setDefault(&o.MaxRetryWait, 2*time.Minute)
	for _, id := range o.Skip {
		if !slices.ContainsFunc(probes, func(p probe) bool { return p.id == id }) {
			return fmt.Errorf("no probe %q to skip; the probes are %s", id, strings.Join(ProbeIDs(), ", "))
		}
	}
	if o.RunID == "" {
		var raw [3]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return err
		}
		o.RunID = hex.EncodeToString(raw[:])
	}
	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// probe is one entry of the suite.
type probe struct {
	id    string
	about string
	run   func(s *suite, ctx context.Context) []Finding
}

// probes run in this order: the paging probes share the conversations the
// list-order probe creates.
var probes = []probe{
	{"list-order", "order of the conversation list (creation, or newest first by last delivery)", (*suite).probeListOrder},
	{"page-size", "page size of the conversation list without $top", (*suite).probePageSize},
	{"page-cap", "page size with $top=1000, as the provider asks (the service's page cap)", (*suite).probePageCap},
	{"top", "whether $top is the page size or caps the whole listing", (*suite).probeTop},
	{"prefer", "whether Prefer: odata.maxpagesize is honoured", (*suite).probePrefer},
	{"filter-delivered", "whether $filter on lastDeliveredDateTime is honoured on the conversation list", (*suite).probeFilterDelivered},
	{"topics", "topics read back: FYI:, RE:, Q3: prefixes and a 300-character topic", (*suite).probeTopics},
	{"html", "the stored form of several HTML bodies", (*suite).probeHTML},
	{"text", "the stored form of text bodies", (*suite).probeText},
	{"recipients", "participants and thread recipients read back", (*suite).probeRecipients},
	{"posts", "post lists: the cap of 100 and their order (101 replies to one thread)", (*suite).probePosts},
	{"locked-reply", "a reply to a locked thread", (*suite).probeLockedReply},
	{"delete-last-thread", "deleting a conversation's only thread", (*suite).probeDeleteLastThread},
	{"mailbox-delay", "how long a new Microsoft 365 group's mailbox takes to answer (creates a group)", (*suite).probeMailboxDelay},
	{"non-unified", "what a group without a mailbox answers (creates a security group, or reads one you name)", (*suite).probeNonUnified},
}

// ProbeIDs lists the probes' ids in the order they run.
func ProbeIDs() []string {
	ids := make([]string, len(probes))
	for i, p := range probes {
		ids[i] = p.id
	}
	return ids
}

// ProbeHelp describes every probe, one per line.
func ProbeHelp() string {
	var b strings.Builder
	for _, p := range probes {
		fmt.Fprintf(&b, "  %-19s %s\n", p.id, p.about)
	}
	return b.String()
}

// suite is the state of one run.
type suite struct {
	opts   Options
	c      *client
	group  string
	marker string
	ledger *ledger
	report *Report
	// user is the signed-in user's address, read from the first post the
	// run created.
	user string
	// order is the conversations the list-order probe created, shared by
	// the paging probes.
	order *orderFixture
	// reference is an emulator in process with its default behaviour, for
	// the behaviours the emulator has no option for: the probes run their
	// scenario against it and compare.
	reference *referenceTarget
}

// Run probes the service and cleans up after itself. It returns a report
// whenever it got as far as sending a request; err says why a run could not
// start or ended early.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	endpoint, err := ParseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	c, err := newClient(clientOptions{endpoint: endpoint, token: opts.Token, transport: opts.Transport,
		maxInFlight: opts.MaxInFlight, maxRequests: opts.MaxRequests, retryBase: opts.RetryBase, maxRetryWait: opts.MaxRetryWait})
	if err != nil {
		return nil, err
	}
	s := &suite{
		opts:   opts,
		c:      c,
		group:  opts.GroupID,
		marker: "msgraph-conformance " + opts.RunID,
		ledger: newLedger(),
		report: &Report{Endpoint: endpoint.Host, RunID: opts.RunID, Started: time.Now(), Build: opts.Build},
	}
	s.report.addRedaction(opts.GroupID, "{group id}")
	s.report.addRedaction(opts.NonUnifiedGroupID, "{non-unified group id}")
	for i, a := range opts.Recipients {
		s.report.addRedaction(a, fmt.Sprintf("recipient%d@tenant.example", i+1))
	}
	defer func() {
		if s.reference != nil {
			s.reference.close()
		}
	}()

	runErr := s.run(ctx)
	// The clean-up runs even when ctx was cancelled (an interrupt), under
	// its own bound.
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.CleanupTimeout)
	defer cancel()
	s.logf("cleaning up: deleting what run %s created", opts.RunID)
	s.report.Cleanup = s.ledger.cleanup(cleanupCtx, c, s.marker)
	s.report.Duration = time.Since(s.report.Started)
	s.report.Requests = int(c.meter.requests.Load())
	s.report.Throttled = int(c.meter.throttled.Load())
	if runErr != nil {
		s.report.Problems = append(s.report.Problems, runErr.Error())
	}
	return s.report, runErr
}

func (s *suite) run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	if err := s.preflight(ctx); err != nil {
		return err
	}
	for _, p := range probes {
		if slices.Contains(s.opts.Skip, p.id) {
			s.report.Findings = append(s.report.Findings, Finding{Probe: p.id, Behaviour: p.about, Status: Skipped, Observed: "skipped on request"})
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped before probe %s: %w", p.id, err)
		}
		s.logf("probe %s: %s", p.id, p.about)
		for _, f := range p.run(s, ctx) {
			f.Probe = p.id
			s.report.Findings = append(s.report.Findings, f)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped during the last probe: %w", err)
	}
	return nil
}

// preflight checks that the group exists, is a Microsoft 365 group and that
// its mailbox answers, waiting for it at most MailboxWait.
func (s *suite) preflight(ctx context.Context) error {
	info, err := s.c.getGroup(ctx, s.group)
	switch {
	case isNotFound(err):
		return fmt.Errorf("group %s: %v: check MSGRAPH_CONFORMANCE_GROUP_ID", s.group, err)
	case err != nil:
		// Reading the directory may need a permission the token lacks;
		// the mailbox is what matters.
		s.logf("could not read group %s (%v); going on with its mailbox", s.group, err)
	case !info.Unified:
		return fmt.Errorf("group %s (%s) is not a Microsoft 365 group: only those have conversations", s.group, info.DisplayName)
	default:
		s.report.addRedaction(info.Mail, "group@tenant.example")
	}
	_, err = s.waitFor(ctx, s.opts.MailboxWait, func() (bool, error) {
		_, err := s.c.conversationsPage(ctx, s.group, pageRequest{top: 1}, "")
		if err != nil && statusOf(err) == http.StatusNotFound && asGraphError(err).Code == "MailboxNotEnabledForRESTAPI" {
			s.logf("the group's mailbox is not ready yet (%v); waiting", err)
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("the group's conversations cannot be listed: %w", err)
	}
	return nil
}

// waitFor polls check every Poll until it reports done or fails, at most
// bound; it returns how long it waited.
func (s *suite) waitFor(ctx context.Context, bound time.Duration, check func() (bool, error)) (time.Duration, error) {
	return s.waitEvery(ctx, bound, s.opts.Poll, check)
}

// waitEvery is waitFor with its own interval.
func (s *suite) waitEvery(ctx context.Context, bound, interval time.Duration, check func() (bool, error)) (time.Duration, error) {
	start := time.Now()
	deadline := start.Add(bound)
	for {
		done, err := check()
		if err != nil || done {
			return time.Since(start), err
		}
		if time.Now().Add(interval).After(deadline) {
			return time.Since(start), fmt.Errorf("still waiting after %s", bound)
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return time.Since(start), ctx.Err()
		case <-timer.C:
		}
	}
}

func (s *suite) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, "msgraph-conformance: "+format+"\n", args...)
	}
}

// topic names an object of the run so that a human can tell what made it.
func (s *suite) topic(what string) string {
	return s.marker + " " + what
}

// createConversation creates a conversation, records it in the ledger at
// once, and waits until it can be read (Exchange has answered 404 for a few
// seconds after a create).
func (s *suite) createConversation(ctx context.Context, label, topic string, first body, participants []recipient) (conversationID, threadID string, err error) {
	conversationID, threadID, err = s.c.createConversation(ctx, s.group, topic, first, participants)
	if err != nil {
		if ge := asGraphError(err); ge.Status == 0 || ge.Status >= 500 {
			// The create may have happened without its answer reaching us.
			s.ledger.uncertain(s.group)
		}
		return "", "", fmt.Errorf("create conversation %q: %w", label, err)
	}
	s.ledger.addConversation(s.group, conversationID, label)
	if err := s.waitVisible(ctx, conversationID); err != nil {
		return conversationID, threadID, fmt.Errorf("conversation %q was created but %w", label, err)
	}
	return conversationID, threadID, nil
}

func (s *suite) waitVisible(ctx context.Context, conversationID string) error {
	_, err := s.waitFor(ctx, s.opts.VisibilityWait, func() (bool, error) {
		_, err := s.c.conversationTopic(ctx, s.group, conversationID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("could not be read: %w", err)
	}
	return nil
}

// signedInUser is the address the service puts in the from of the run's
// posts: the signed-in user.
func (s *suite) signedInUser(ctx context.Context, conversationID, threadID string) (string, error) {
	if s.user != "" {
		return s.user, nil
	}
	posts, _, err := s.c.postsPage(ctx, s.group, conversationID, threadID, "")
	if err != nil {
		return "", err
	}
	for _, p := range posts {
		if p.From.Address != "" {
			s.user = p.From.Address
			s.report.addRedaction(s.user, "user@tenant.example")
			if _, domain, ok := strings.Cut(s.user, "@"); ok {
				s.report.addRedaction(domain, "tenant.example")
			}
			return s.user, nil
		}
	}
	return "", errors.New("the first post names no sender")
}

// failed is the finding of a probe that could not finish.
func failed(behaviour string, err error) Finding {
	return Finding{Behaviour: behaviour, Status: Failed, Observed: err.Error()}
}
