package emulator

import (
	"errors"
	"fmt"
	"strings"
)

// The helpers in this file extend seed.go to threads and replies. Like the
// helpers there they act directly on the store: they bypass authentication,
// latency, the mailbox limit and the counters.

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

// Thread returns a stored thread.
func (s *Server) Thread(groupID, threadID string) (Thread, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return Thread{}, false
	}
	t, ok := g.threads[threadID]
	if !ok {
		return Thread{}, false
	}
	return g.threadSnapshot(t), true
}

// DeleteThread removes a thread and its posts the way a user deleting it
// outside Terraform would; the conversation goes with its last thread, as
// on Graph. It reports whether the thread existed.
func (s *Server) DeleteThread(groupID, threadID string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return false
	}
	t, ok := g.threads[threadID]
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
	g, ok := s.knownGroup(groupID)
	if !ok {
		return false
	}
	t, ok := g.threads[threadID]
	if !ok {
		return false
	}
	t.isLocked = locked
	return true
}

// seedPostInput validates a seeded post the way a Graph request would be
// validated: a content type of html or text (text when empty), and an
// address on every participant.
func seedPostInput(helper string, body ItemBody, participants []Recipient) (newPostInput, error) {
	contentType := body.ContentType
	if contentType == "" {
		contentType = "text"
	}
	normalised, apiErr := normaliseBody(&itemBodyIn{ContentType: &contentType, Content: &body.Content})
	if apiErr != nil {
		return newPostInput{}, fmt.Errorf("emulator: %s: %s", helper, apiErr.message)
	}
	if err := checkSeedRecipients(helper, participants); err != nil {
		return newPostInput{}, err
	}
	return newPostInput{body: normalised, newParticipants: participants}, nil
}

func checkSeedRecipients(helper string, list []Recipient) error {
	for _, r := range list {
		if strings.TrimSpace(r.Address) == "" {
			return errors.New("emulator: " + helper + ": every recipient needs an address")
		}
	}
	return nil
}
