package emulator

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the emulator's whole control surface: every exported method
// of Server, which tests and tools call to seed data, inspect it, change it
// as a user outside Terraform would, inject faults and serve it. The package
// documentation lists them with one line each, and a test keeps both
// complete. The machinery they call stays with the code it belongs to (the
// store, faults.go, stamps.go, listen.go, ...).

// Seeding: groups and mail that exist before a test starts. These methods,
// like those of the next two sections, act on the store directly: they
// bypass authentication, latency, the mailbox limit, faults and the
// counters, and what they store is visible at once.

// AddGroup stores a group and returns it with its ID filled in. Adding a
// group whose ID already exists replaces its directory fields and keeps its
// conversations.
func (s *Server) AddGroup(g Group) Group {
	return s.store.addGroup(g, s.now())
}

// SeedConversation stores a conversation as if the sender had created it
// through Graph: one thread with one post whose newParticipants are
// participants, its topic and body stored the way the server's Behaviour
// stores any other. Unlike a Graph create it
// is visible at once, since seeded data is meant to be read back right away.
func (s *Server) SeedConversation(groupID, topic string, body ItemBody, participants []Recipient, sender Principal) (Conversation, error) {
	if strings.TrimSpace(topic) == "" {
		return Conversation{}, errors.New("emulator: SeedConversation needs a topic")
	}
	contentType := body.ContentType
	if contentType == "" {
		contentType = "text"
	}
	normalised, apiErr := normaliseBody(&itemBodyIn{ContentType: &contentType, Content: &body.Content})
	if apiErr != nil {
		return Conversation{}, fmt.Errorf("emulator: SeedConversation: %s", apiErr.message)
	}
	for _, p := range participants {
		if strings.TrimSpace(p.Address) == "" {
			return Conversation{}, errors.New("emulator: SeedConversation: every participant needs an address")
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, apiErr := s.store.mailbox(groupID)
	if apiErr != nil {
		return Conversation{}, fmt.Errorf("emulator: SeedConversation on group %q: %s: %s", groupID, apiErr.code, apiErr.message)
	}
	if apiErr := s.store.checkTopic(topic); apiErr != nil {
		return Conversation{}, fmt.Errorf("emulator: SeedConversation: %s", apiErr.message)
	}
	now := s.now()
	first := newPostInput{body: normalised, newParticipants: participants}
	conv, _ := s.store.createConversation(g, topic, nil, nil, first, sender, now, now)
	return g.conversationSnapshot(conv), nil
}

// SeedConversations fills a group's mailbox with n conversations at once, as
// a group that has received mail for a while holds them: conversation i
// (from 1) has the topic "Seeded conversation i", one text post from sender,
// and was delivered n-i seconds before now, so the newest is delivered now
// and lists newest first start with it. It returns the conversations oldest
// first. Like the other seed helpers it acts on the store directly, and it is
// cheap enough for benchmarks of large mailboxes: thousands of
// conversations take milliseconds.
func (s *Server) SeedConversations(groupID string, n int, sender Principal) ([]Conversation, error) {
	if n < 0 {
		return nil, errors.New("emulator: SeedConversations: n must not be negative")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, apiErr := s.store.mailbox(groupID)
	if apiErr != nil {
		return nil, fmt.Errorf("emulator: SeedConversations on group %q: %s: %s", groupID, apiErr.code, apiErr.message)
	}
	now := s.now().Truncate(time.Second)
	out := make([]Conversation, 0, n)
	for i := 1; i <= n; i++ {
		topic := "Seeded conversation " + strconv.Itoa(i)
		at := now.Add(-time.Duration(n-i) * time.Second)
		first := newPostInput{body: ItemBody{ContentType: "text", Content: topic + "."}}
		conv, _ := s.store.createConversation(g, topic, nil, nil, first, sender, at, at)
		out = append(out, g.conversationSnapshot(conv))
	}
	return out, nil
}

// SeedThread stores a new thread in an existing conversation as if sender
// had created it through Graph (POST .../conversations/{id}/threads): one
// post with body, and the thread's to and cc recipients. The thread takes the
// conversation's topic, as every thread does.
func (s *Server) SeedThread(groupID, conversationID string, body ItemBody, to, cc []Recipient, sender Principal) (Thread, error) {
	first, err := seedPostInput("SeedThread", body, nil)
	if err != nil {
		return Thread{}, err
	}
	for _, list := range [][]Recipient{to, cc} {
		if err := checkSeedRecipients("SeedThread", list); err != nil {
			return Thread{}, err
		}
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, apiErr := s.store.mailbox(groupID)
	if apiErr != nil {
		return Thread{}, fmt.Errorf("emulator: SeedThread on group %q: %s: %s", groupID, apiErr.code, apiErr.message)
	}
	conv, ok := g.conversations[conversationID]
	if !ok {
		return Thread{}, fmt.Errorf("emulator: SeedThread: group %q has no conversation %q", groupID, conversationID)
	}
	now := s.now()
	t := s.store.createThread(g, conv, to, cc, first, sender, now, now)
	return g.threadSnapshot(t), nil
}

// SeedReply adds a post to a thread as if sender had replied through Graph
// (POST .../threads/{id}/reply), in reply to the thread's newest post:
// participants join the thread's
// toRecipients, and the thread's and conversation's computed fields follow.
// Unlike a Graph reply it also works on a locked thread, so tests can set up
// any history.
func (s *Server) SeedReply(groupID, threadID string, body ItemBody, participants []Recipient, sender Principal) (Post, error) {
	in, err := seedPostInput("SeedReply", body, participants)
	if err != nil {
		return Post{}, err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return Post{}, fmt.Errorf("emulator: SeedReply: no group %q", groupID)
	}
	t, ok := g.threads[threadID]
	if !ok {
		return Post{}, fmt.Errorf("emulator: SeedReply: group %q has no thread %q", groupID, threadID)
	}
	p := s.store.addPost(g, t, in, sender, s.now(), newestPostID(t))
	t.toRecipients = addRecipients(t.toRecipients, in.newParticipants)
	return postSnapshot(p), nil
}

// Inspection: what the store holds and what the server was asked. Reads
// see conversations and threads that are still invisible to Graph clients, so
// a test can tell "not created" from "not yet visible".

// Options returns the options in force, with every change made by a setter
// since New: what a tool needs to say which behaviour the server shows.
func (s *Server) Options() Options {
	opts := s.opts
	opts.Tokens = maps.Clone(opts.Tokens)
	opts.Latency = time.Duration(s.latency.Load())
	opts.InvisibleFor = time.Duration(s.invisibleFor.Load())
	opts.MailboxConcurrency = int(s.mailboxConcurrency.Load())
	opts.MaxPageSize = int(s.maxPageSize.Load())
	opts.RefuseCreateStamps = s.refuseCreateStamps.Load()
	s.faults.mu.Lock()
	opts.Faults = s.faults.faults
	opts.Faults.Statuses = slices.Clone(opts.Faults.Statuses)
	s.faults.mu.Unlock()
	s.store.mu.Lock()
	opts.Behaviour = s.store.behaviour
	s.store.mu.Unlock()
	return opts
}

// Conversation returns a stored conversation.
func (s *Server) Conversation(groupID, conversationID string) (Conversation, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, conv, ok := s.knownConversation(groupID, conversationID)
	if !ok {
		return Conversation{}, false
	}
	return g.conversationSnapshot(conv), true
}

// Conversations returns a group's conversations in creation order.
func (s *Server) Conversations(groupID string) []Conversation {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return nil
	}
	out := make([]Conversation, 0, len(g.conversationOrder))
	for _, id := range g.conversationOrder {
		out = append(out, g.conversationSnapshot(g.conversations[id]))
	}
	return out
}

// Thread returns a stored thread.
func (s *Server) Thread(groupID, threadID string) (Thread, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, t, ok := s.knownThread(groupID, threadID)
	if !ok {
		return Thread{}, false
	}
	return g.threadSnapshot(t), true
}

// Threads returns a conversation's threads in creation order.
func (s *Server) Threads(groupID, conversationID string) []Thread {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, conv, ok := s.knownConversation(groupID, conversationID)
	if !ok {
		return nil
	}
	out := make([]Thread, 0, len(conv.threadIDs))
	for _, id := range conv.threadIDs {
		out = append(out, g.threadSnapshot(g.threads[id]))
	}
	return out
}

// Posts returns a thread's posts oldest first.
func (s *Server) Posts(groupID, threadID string) []Post {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, t, ok := s.knownThread(groupID, threadID)
	if !ok {
		return nil
	}
	out := make([]Post, 0, len(t.postIDs))
	for _, id := range t.postIDs {
		out = append(out, postSnapshot(g.posts[id]))
	}
	return out
}

// MailboxReadyAt reports when a group's mailbox starts to answer, on the
// emulator's clock.
func (s *Server) MailboxReadyAt(groupID string) (time.Time, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return time.Time{}, false
	}
	return g.mailboxReadyAt, true
}

// Counters returns a copy of the request counters: one per request kind
// (groups.get, conversations.create, ..., other) for requests that got past
// authentication, plus status.401, status.404, status.429, status.4xx,
// status.5xx and requests.total.
func (s *Server) Counters() map[string]int {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	return maps.Clone(s.counters)
}

// ResetCounters sets every counter back to zero.
func (s *Server) ResetCounters() {
	s.countersMu.Lock()
	defer s.countersMu.Unlock()
	clear(s.counters)
}

// Changes made outside Terraform: what a user does in Outlook or another
// client between two runs, applied to the store directly.

// DeleteConversation removes a conversation with its threads and posts, the
// way a user deleting it "outside Terraform" would. It reports whether the
// conversation existed.
func (s *Server) DeleteConversation(groupID, conversationID string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, conv, ok := s.knownConversation(groupID, conversationID)
	if !ok {
		return false
	}
	g.deleteConversation(conv)
	return true
}

// DeleteThread removes a thread and its posts the way a user deleting it
// outside Terraform would; the conversation goes with its last thread, as
// on Graph. It reports whether the thread existed.
func (s *Server) DeleteThread(groupID, threadID string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, t, ok := s.knownThread(groupID, threadID)
	if !ok {
		return false
	}
	g.deleteThread(t)
	return true
}

// SetThreadLocked locks or unlocks a thread the way a user doing it outside
// Terraform would. It reports whether the thread existed.
func (s *Server) SetThreadLocked(groupID, threadID string, locked bool) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, t, ok := s.knownThread(groupID, threadID)
	if !ok {
		return false
	}
	t.isLocked = locked
	return true
}

// Visibility: Exchange's eventual consistency, where an object that exists
// answers 404 for a while.

// HideConversation makes a visible conversation invisible to reads again for
// d, as a lagging Exchange replica would. It reports whether the
// conversation exists.
func (s *Server) HideConversation(groupID, conversationID string, d time.Duration) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, c, ok := s.knownConversation(groupID, conversationID)
	if !ok {
		return false
	}
	c.visibleAt = s.now().Add(d)
	return true
}

// HideThread makes a thread invisible to reads for d from now, as a lagging
// Exchange replica does right after a create: a GET answers 404, lists leave
// it out. It reports whether the thread exists.
func (s *Server) HideThread(groupID, threadID string, d time.Duration) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, t, ok := s.knownThread(groupID, threadID)
	if !ok {
		return false
	}
	t.visibleAt = s.now().Add(d)
	return true
}

// SetInvisibleFor changes the invisibility window of conversations and
// threads created from now on; those already stored keep theirs.
func (s *Server) SetInvisibleFor(d time.Duration) { s.invisibleFor.Store(int64(d)) }

// Fault and behaviour control: what a busy service, or one that behaves
// otherwise where Graph's docs are silent, does. Each setter changes the
// matching field of the Options given to New, for the requests that follow.

// SetFaults replaces the injected faults and restarts their sequence.
func (s *Server) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = f
	s.faults.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x9e3779b97f4a7c15))
	s.faults.seen, s.faults.creates = 0, 0
}

// SetLatency changes the latency added to every request.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// SetMailboxConcurrency changes the per-mailbox limit of requests in flight; 0
// means unlimited.
func (s *Server) SetMailboxConcurrency(n int) { s.mailboxConcurrency.Store(int64(n)) }

// SetMaxPageSize changes the page cap; 1000 when n is not positive.
func (s *Server) SetMaxPageSize(n int) {
	if n <= 0 {
		n = 1000
	}
	s.maxPageSize.Store(int64(n))
}

// SetBehaviour replaces the server's behaviour choices. Invalid values are
// taken as their defaults (see Validate). What is already stored keeps its
// form: topics and bodies are shaped when they are stored, and a group's
// mailbox delay when the group is added.
func (s *Server) SetBehaviour(b Behaviour) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.behaviour = b.normalised()
}

// SetRefuseCreateStamps changes whether creates carrying open extensions or
// extended properties are refused (see Options.RefuseCreateStamps).
func (s *Server) SetRefuseCreateStamps(refuse bool) { s.refuseCreateStamps.Store(refuse) }

// Serving: a Server is an http.Handler; Listen serves it on loopback.

// ServeHTTP answers one Graph request (see handleRequest), so a Server can
// also be mounted on an httptest.Server or a mux of the caller's.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handleRequest(w, r) }

// Listen serves the emulator on addr and returns its base URL including
// /v1.0, e.g. "http://127.0.0.1:43123/v1.0". addr must be a loopback address
// (127.0.0.0/8, ::1 or localhost; port 0 picks a free port). The emulator
// accepts any client that knows a token and has no TLS, so it refuses to be
// reachable from other machines.
func (s *Server) Listen(addr string) (baseURL string, err error) {
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.httpServer != nil {
		return "", errors.New("emulator: Listen called twice; Close the server first")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	// The listener's address is used rather than addr so that port 0 and the
	// name localhost turn into the concrete address clients must dial.
	baseURL = "http://" + ln.Addr().String() + "/v1.0"
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpServer = hs
	go func() { _ = hs.Serve(ln) }()
	return baseURL, nil
}

// Close stops what Listen started: it waits a few seconds for requests in
// flight, then closes the remaining connections. Close without Listen, or a
// second Close, does nothing.
func (s *Server) Close() error {
	s.listenMu.Lock()
	hs := s.httpServer
	s.httpServer = nil
	s.listenMu.Unlock()
	if hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		closeErr := hs.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return closeErr
		}
		return err
	}
	return nil
}
