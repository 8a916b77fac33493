package emulator

import (
	"errors"
	"fmt"
	"strings"
)

// What the seeding and inspection methods (control.go) share. Those methods
// act directly on the store: they bypass authentication, latency, the
// mailbox limit and the counters, and they see conversations that are still
// inside their invisibility window.

// knownGroup finds a group for the helpers, which take any spelling of its id.
// The caller must hold the store lock.
func (s *Server) knownGroup(groupID string) (*groupState, bool) {
	g, ok := s.store.groups[strings.ToLower(groupID)]
	return g, ok
}

// knownConversation finds a stored conversation for the helpers, visible or
// not, with its group. The caller must hold the store lock.
func (s *Server) knownConversation(groupID, conversationID string) (*groupState, *conversationState, bool) {
	g, ok := s.knownGroup(groupID)
	if !ok {
		return nil, nil, false
	}
	c, ok := g.conversations[conversationID]
	return g, c, ok
}

// knownThread finds a stored thread for the helpers, visible or not, with
// its group. The caller must hold the store lock.
func (s *Server) knownThread(groupID, threadID string) (*groupState, *threadState, bool) {
	g, ok := s.knownGroup(groupID)
	if !ok {
		return nil, nil, false
	}
	t, ok := g.threads[threadID]
	return g, t, ok
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
