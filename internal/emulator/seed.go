package emulator

import (
	"errors"
	"fmt"
	"strings"
)

// The helpers in this file act directly on the store for tests and seeding.
// They bypass authentication, latency, the mailbox limit and the counters,
// and they see conversations that are still inside their invisibility window.

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

// knownGroup finds a group for the helpers, which take any spelling of its id.
// The caller must hold the store lock.
func (s *Server) knownGroup(groupID string) (*groupState, bool) {
	g, ok := s.store.groups[strings.ToLower(groupID)]
	return g, ok
}

// Conversation returns a stored conversation.
func (s *Server) Conversation(groupID, conversationID string) (Conversation, bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return Conversation{}, false
	}
	conv, ok := g.conversations[conversationID]
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

// Threads returns a conversation's threads in creation order.
func (s *Server) Threads(groupID, conversationID string) []Thread {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return nil
	}
	conv, ok := g.conversations[conversationID]
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
	g, ok := s.knownGroup(groupID)
	if !ok {
		return nil
	}
	t, ok := g.threads[threadID]
	if !ok {
		return nil
	}
	out := make([]Post, 0, len(t.postIDs))
	for _, id := range t.postIDs {
		out = append(out, postSnapshot(g.posts[id]))
	}
	return out
}

// DeleteConversation removes a conversation with its threads and posts, the
// way a user deleting it "outside Terraform" would. It reports whether the
// conversation existed.
func (s *Server) DeleteConversation(groupID, conversationID string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	g, ok := s.knownGroup(groupID)
	if !ok {
		return false
	}
	conv, ok := g.conversations[conversationID]
	if !ok {
		return false
	}
	g.deleteConversation(conv)
	return true
}
