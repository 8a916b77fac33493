package graph

import (
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

func TestSameTopic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		configured, stored string
		want               bool
	}{
		{"Quarterly planning", "Quarterly planning", true},
		{"FYI: office closed", "office closed", true},
		{"RE: x", "x", true},
		{"RE:x", "x", true},
		{"Re:   spaced", "spaced", true},
		{"RE: FW: x", "FW: x", true},
		{"RE: FW: x", "x", true},
		{"Q3: results", "Q3: results", true},
		{"Q3: results", "results", false}, // a digit is not a prefix
		{"ABCD: x", "x", false},           // four characters are not a prefix
		{"A B: x", "x", false},            // nor is one with a blank
		{":x", "x", false},
		{"FYI:", "FYI:", true}, // nothing would be left
		{"ÄÖÜ: umlauts", "umlauts", true},
		{"x", "FYI: x", false}, // the other way round is a different topic
		{"FYI: a", "FYI: b", false},
		{"Kickoff ", "Kickoff", true},
	}
	for _, tt := range tests {
		if got := SameTopic(tt.configured, tt.stored); got != tt.want {
			t.Errorf("SameTopic(%q, %q) = %t, want %t", tt.configured, tt.stored, got, tt.want)
		}
	}
}

// What the emulator stores when it normalises topics is what SameTopic
// accepts.
func TestSameTopicAcceptsTheEmulatorsNormalisedTopics(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{NormaliseTopics: true}})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	for _, topic := range []string{"FYI: office closed", "RE: FW: budget", "Q3: results", "SV:  Svar", "plain"} {
		created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: topic, Body: ItemBody{Content: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.GetConversation(ctx, env.group.ID, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !SameTopic(topic, got.Topic) {
			t.Errorf("%q read back as %q, which SameTopic does not accept", topic, got.Topic)
		}
	}
}

func TestTopicLength(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		topic string
		want  int
	}{
		{"abc", 3},
		{"é", 1},
		{"😀", 2},
		{strings.Repeat("x", MaxTopicLength), MaxTopicLength},
	} {
		if got := TopicLength(tt.topic); got != tt.want {
			t.Errorf("TopicLength(%q) = %d, want %d", tt.topic, got, tt.want)
		}
	}
	if MaxTopicLength != emulator.ExchangeMaxTopicLength {
		t.Errorf("MaxTopicLength = %d, the emulator's Exchange limit is %d", MaxTopicLength, emulator.ExchangeMaxTopicLength)
	}
}
