package emulator

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// store holds every group, conversation, thread and post. One mutex guards all
// of it: requests are short and in memory, so a single lock is simpler than
// finer-grained locking and cannot deadlock.
type store struct {
	mu     sync.Mutex
	rng    *rand.Rand
	groups map[string]*groupState // keyed by lowercase group id
	// groupOrder lists group ids in the order they were added, so group lists
	// are deterministic.
	groupOrder []string
	// usedIDs remembers every id ever handed out, including deleted ones, so
	// an id is never reused and a stale id keeps answering 404.
	usedIDs map[string]struct{}
	// postSeq orders posts across the whole store; it breaks ties between posts
	// delivered within the same second.
	postSeq uint64
	// behaviour is the server's Behaviour, kept here because it decides how
	// topics and bodies are stored and how mailboxes answer.
	behaviour Behaviour
}

type groupState struct {
	group Group
	// mailboxReadyAt is when the group's mailbox starts to answer; before it
	// every mailbox request gets 404 MailboxNotEnabledForRESTAPI.
	mailboxReadyAt    time.Time
	conversations     map[string]*conversationState
	conversationOrder []string
	threads           map[string]*threadState
	threadOrder       []string
	posts             map[string]*postState
}

type conversationState struct {
	id        string
	topic     string
	createdAt time.Time
	// visibleAt is when Graph reads start to see the conversation; it models
	// Exchange's eventual consistency right after create.
	visibleAt time.Time
	threadIDs []string
}

type threadState struct {
	id             string
	conversationID string
	// visibleAt is when Graph reads start to see the thread: a thread added
	// to a conversation lags like a new conversation does.
	visibleAt    time.Time
	topic        string
	isLocked     bool
	toRecipients []Recipient
	ccRecipients []Recipient
	postIDs      []string
}

type postState struct {
	post       Post
	stamps     postStamps
	seq        uint64
	preview    string
	senderName string
}

// newPostInput is what a create or reply request contributes to a new post.
type newPostInput struct {
	body            ItemBody // contentType normalised to "html" or "text"
	newParticipants []Recipient
	stamps          postStamps
}

func newStore(seed int64) *store {
	return &store{
		// The second PCG word is an arbitrary constant; only the seed varies.
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		groups:  make(map[string]*groupState),
		usedIDs: make(map[string]struct{}),
	}
}

func (st *store) idTaken(id string) bool {
	_, ok := st.usedIDs[id]
	return ok
}

func (st *store) claimID(prefix []byte, size int) string {
	id := st.newExchangeID(prefix, size)
	st.usedIDs[id] = struct{}{}
	return id
}

// addGroup stores g, replacing the directory fields of an existing group with
// the same id but keeping its conversations and its mailbox's readiness. A
// new group's mailbox is ready g.MailboxDelay after now, or the behaviour's
// MailboxDelay when g sets none.
func (st *store) addGroup(g Group, now time.Time) Group {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.addGroupLocked(g, now)
}

// addGroupLocked is addGroup for a caller that holds the lock.
func (st *store) addGroupLocked(g Group, now time.Time) Group {
	if g.ID == "" {
		g.ID = st.newGUID()
	}
	g.ID = strings.ToLower(g.ID)
	g.GroupTypes = slices.Clone(g.GroupTypes)
	if existing, ok := st.groups[g.ID]; ok {
		existing.group = g
		return cloneGroup(g)
	}
	delay := g.MailboxDelay
	if delay == 0 {
		delay = st.behaviour.MailboxDelay
	}
	st.groupOrder = append(st.groupOrder, g.ID)
	st.groups[g.ID] = &groupState{
		group:          g,
		mailboxReadyAt: now.Add(max(delay, 0)),
		conversations:  make(map[string]*conversationState),
		threads:        make(map[string]*threadState),
		posts:          make(map[string]*postState),
	}
	return cloneGroup(g)
}

func cloneGroup(g Group) Group {
	g.GroupTypes = slices.Clone(g.GroupTypes)
	return g
}

func isUnified(g Group) bool {
	for _, t := range g.GroupTypes {
		if strings.EqualFold(t, "Unified") {
			return true
		}
	}
	return false
}

// group finds a group by a path segment. The caller must hold the lock.
// Directory ids are GUIDs and compare case-insensitively.
func (st *store) group(groupID string) (*groupState, *apiError) {
	if !isGUID(groupID) {
		return nil, errInvalidObjectID(groupID)
	}
	g, ok := st.groups[strings.ToLower(groupID)]
	if !ok {
		return nil, errGroupNotFound(groupID)
	}
	return g, nil
}

// mailbox finds a group that has a group mailbox. The caller must hold the
// lock.
func (st *store) mailbox(groupID string) (*groupState, *apiError) {
	g, err := st.group(groupID)
	if err != nil {
		return nil, err
	}
	if !isUnified(g.group) {
		return nil, errNoMailbox(st.behaviour.NonUnifiedStatus)
	}
	return g, nil
}

// visibleConversation finds a conversation that Graph reads can see at now.
// A malformed id is a 400 before any lookup, as in Exchange.
func (g *groupState) visibleConversation(conversationID string, now time.Time) (*conversationState, *apiError) {
	if !isWellFormedExchangeID(conversationID) {
		return nil, errIDMalformed()
	}
	c, ok := g.conversations[conversationID]
	if !ok || now.Before(c.visibleAt) {
		return nil, errItemNotFound()
	}
	return c, nil
}

// visibleThread finds a thread whose conversation is visible at now. When
// conversationID is not empty the thread must belong to that conversation.
func (g *groupState) visibleThread(conversationID, threadID string, now time.Time) (*threadState, *apiError) {
	if conversationID != "" {
		if _, err := g.visibleConversation(conversationID, now); err != nil {
			return nil, err
		}
	}
	if !isWellFormedExchangeID(threadID) {
		return nil, errIDMalformed()
	}
	t, ok := g.threads[threadID]
	if !ok || conversationID != "" && t.conversationID != conversationID || now.Before(t.visibleAt) {
		return nil, errItemNotFound()
	}
	if _, err := g.visibleConversation(t.conversationID, now); err != nil {
		return nil, errItemNotFound()
	}
	return t, nil
}

func (g *groupState) postInThread(t *threadState, postID string) (*postState, *apiError) {
	if !isWellFormedExchangeID(postID) {
		return nil, errIDMalformed()
	}
	p, ok := g.posts[postID]
	if !ok || p.post.ThreadID != t.id {
		return nil, errItemNotFound()
	}
	return p, nil
}

// visibleConversations lists the conversations Graph reads can see, in
// creation order.
func (g *groupState) visibleConversations(now time.Time) []*conversationState {
	var out []*conversationState
	for _, id := range g.conversationOrder {
		if c := g.conversations[id]; !now.Before(c.visibleAt) {
			out = append(out, c)
		}
	}
	return out
}

func (g *groupState) visibleThreads(now time.Time) []*threadState {
	var out []*threadState
	for _, id := range g.threadOrder {
		t := g.threads[id]
		if c := g.conversations[t.conversationID]; !now.Before(c.visibleAt) && !now.Before(t.visibleAt) {
			out = append(out, t)
		}
	}
	return out
}

// createConversation stores a conversation with one thread holding one post.
// The caller must hold the lock.
func (st *store) createConversation(g *groupState, topic string, to, cc []Recipient, first newPostInput, sender Principal, now, visibleAt time.Time) (*conversationState, *threadState) {
	c := &conversationState{
		id:        st.claimID(conversationIDPrefix, conversationIDBytes),
		topic:     st.storedTopic(topic),
		createdAt: now,
		visibleAt: visibleAt,
	}
	g.conversations[c.id] = c
	g.conversationOrder = append(g.conversationOrder, c.id)
	t := st.createThread(g, c, to, cc, first, sender, now, visibleAt)
	return c, t
}

// createThread adds a thread with its first post to an existing conversation.
// All threads of a conversation share its topic (resources/conversation), so
// a topic sent with the thread is not used.
func (st *store) createThread(g *groupState, c *conversationState, to, cc []Recipient, first newPostInput, sender Principal, now, visibleAt time.Time) *threadState {
	t := &threadState{
		id:             st.claimID(threadIDPrefix, threadIDBytes),
		conversationID: c.id,
		visibleAt:      visibleAt,
		topic:          c.topic,
		toRecipients:   slices.Clone(to),
		ccRecipients:   slices.Clone(cc),
	}
	g.threads[t.id] = t
	g.threadOrder = append(g.threadOrder, t.id)
	c.threadIDs = append(c.threadIDs, t.id)
	st.addPost(g, t, first, sender, now, "")
	return t
}

// addPost appends a post to a thread, as a reply to the post inReplyTo ("" for
// the post that starts the thread). The caller must hold the lock.
func (st *store) addPost(g *groupState, t *threadState, in newPostInput, sender Principal, now time.Time, inReplyTo string) *postState {
	now = now.UTC().Truncate(time.Second)
	author := Recipient{Name: sender.DisplayName, Address: sender.Address}
	st.postSeq++
	p := &postState{
		post: Post{
			ID:                   st.claimID(postIDPrefix, postIDBytes),
			ConversationID:       t.conversationID,
			ThreadID:             t.id,
			Body:                 st.behaviour.StoredBody(in.body),
			From:                 author,
			Sender:               author,
			NewParticipants:      slices.Clone(in.newParticipants),
			ReceivedDateTime:     now,
			CreatedDateTime:      now,
			LastModifiedDateTime: now,
			ChangeKey:            st.newChangeKey(),
			InReplyTo:            inReplyTo,
		},
		stamps:     in.stamps,
		seq:        st.postSeq,
		preview:    previewOf(in.body),
		senderName: senderName(sender),
	}
	g.posts[p.post.ID] = p
	t.postIDs = append(t.postIDs, p.post.ID)
	return p
}

// newestPostID is the id of a thread's newest post, "" when it has none. The
// caller must hold the lock.
func newestPostID(t *threadState) string {
	if len(t.postIDs) == 0 {
		return ""
	}
	return t.postIDs[len(t.postIDs)-1]
}

// senderName is what uniqueSenders shows for a principal: Graph lists display
// names, and the address stands in when a principal has none.
func senderName(p Principal) string {
	if p.DisplayName != "" {
		return p.DisplayName
	}
	return p.Address
}

// addRecipients appends the recipients not already in list, comparing
// addresses case-insensitively as mail systems do.
func addRecipients(list []Recipient, more []Recipient) []Recipient {
	for _, r := range more {
		if !slices.ContainsFunc(list, func(have Recipient) bool { return strings.EqualFold(have.Address, r.Address) }) {
			list = append(list, r)
		}
	}
	return list
}

// deleteConversation removes a conversation with its threads and posts. The
// caller must hold the lock.
func (g *groupState) deleteConversation(c *conversationState) {
	for _, tid := range c.threadIDs {
		g.dropThread(tid)
	}
	delete(g.conversations, c.id)
	g.conversationOrder = slices.DeleteFunc(g.conversationOrder, func(id string) bool { return id == c.id })
}

// deleteThread removes a thread and its posts. A conversation cannot exist
// without threads, so deleting its last thread removes the conversation too;
// this is inferred (see EMULATOR.md).
func (g *groupState) deleteThread(t *threadState) {
	c := g.conversations[t.conversationID]
	g.dropThread(t.id)
	c.threadIDs = slices.DeleteFunc(c.threadIDs, func(id string) bool { return id == t.id })
	if len(c.threadIDs) == 0 {
		g.deleteConversation(c)
	}
}

func (g *groupState) dropThread(threadID string) {
	t, ok := g.threads[threadID]
	if !ok {
		return
	}
	for _, pid := range t.postIDs {
		delete(g.posts, pid)
	}
	delete(g.threads, threadID)
	g.threadOrder = slices.DeleteFunc(g.threadOrder, func(id string) bool { return id == threadID })
}

// summary holds the computed fields shared by conversations and threads.
type summary struct {
	hasAttachments bool
	lastDelivered  time.Time
	preview        string
	uniqueSenders  []string
}

// summarize derives the computed fields from posts: the preview comes from
// the newest post, uniqueSenders lists each sender once in the order they
// first posted. Computing them on read keeps them right after any mix of
// replies and deletions.
func (g *groupState) summarize(postIDs []string) summary {
	posts := make([]*postState, 0, len(postIDs))
	for _, id := range postIDs {
		if p, ok := g.posts[id]; ok {
			posts = append(posts, p)
		}
	}
	sort.Slice(posts, func(i, j int) bool { return posts[i].seq < posts[j].seq })
	var s summary
	s.uniqueSenders = []string{}
	for _, p := range posts {
		if p.post.ReceivedDateTime.After(s.lastDelivered) {
			s.lastDelivered = p.post.ReceivedDateTime
		}
		s.hasAttachments = s.hasAttachments || p.post.HasAttachments
		if !slices.Contains(s.uniqueSenders, p.senderName) {
			s.uniqueSenders = append(s.uniqueSenders, p.senderName)
		}
	}
	if len(posts) > 0 {
		s.preview = posts[len(posts)-1].preview
	}
	return s
}

func (g *groupState) conversationPostIDs(c *conversationState) []string {
	var ids []string
	for _, tid := range c.threadIDs {
		if t, ok := g.threads[tid]; ok {
			ids = append(ids, t.postIDs...)
		}
	}
	return ids
}

func (g *groupState) conversationSnapshot(c *conversationState) Conversation {
	s := g.summarize(g.conversationPostIDs(c))
	return Conversation{
		ID:                    c.id,
		Topic:                 c.topic,
		HasAttachments:        s.hasAttachments,
		LastDeliveredDateTime: s.lastDelivered,
		Preview:               s.preview,
		UniqueSenders:         s.uniqueSenders,
		ThreadIDs:             slices.Clone(c.threadIDs),
		CreatedAt:             c.createdAt,
	}
}

func (g *groupState) threadSnapshot(t *threadState) Thread {
	s := g.summarize(t.postIDs)
	return Thread{
		ID:                    t.id,
		ConversationID:        t.conversationID,
		Topic:                 t.topic,
		IsLocked:              t.isLocked,
		ToRecipients:          slices.Clone(t.toRecipients),
		CcRecipients:          slices.Clone(t.ccRecipients),
		HasAttachments:        s.hasAttachments,
		LastDeliveredDateTime: s.lastDelivered,
		Preview:               s.preview,
		UniqueSenders:         s.uniqueSenders,
		PostIDs:               slices.Clone(t.postIDs),
	}
}

func postSnapshot(p *postState) Post {
	out := p.post
	out.NewParticipants = slices.Clone(p.post.NewParticipants)
	for _, e := range p.stamps.extensions {
		out.Extensions = append(out.Extensions, e.snapshot())
	}
	for _, prop := range p.stamps.properties {
		if out.ExtendedProperties == nil {
			out.ExtendedProperties = make(map[string]string)
		}
		out.ExtendedProperties[prop.id] = prop.value
	}
	return out
}
