package emulator

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

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
