package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf16"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// In Exchange a conversation's topic is the normalised subject: a short
// prefix and a colon are stripped ("FYI: x" → "x"), and prefix plus subject
// must stay under 254 characters. Whether Graph's topic is that property is
// not documented.

// topicCase is one topic the topics probe creates.
type topicCase struct {
	label string
	topic string
}

// longTopicLength is the long topic's length, well over Exchange's limit.
const longTopicLength = 300

func (s *suite) topicCases() []topicCase {
	return []topicCase{
		{"`FYI:` prefix", "FYI: " + s.topic("topic prefix probe")},
		{"`RE:` prefix", "RE: " + s.topic("topic prefix probe")},
		{"`Q3:` prefix (keeps its digit)", "Q3: " + s.topic("topic prefix probe")},
	}
}

// paddedTopic is a topic of exactly n characters starting with the run's
// marker.
func (s *suite) paddedTopic(n int) string {
	t := s.topic(fmt.Sprintf("topic of %d characters ", n))
	if len(t) >= n {
		return t[:n]
	}
	return t + strings.Repeat("x", n-len(t))
}

func (s *suite) probeTopics(ctx context.Context) []Finding {
	var out []Finding
	for _, tc := range s.topicCases() {
		out = append(out, s.probePrefixTopic(ctx, tc))
	}
	return append(out, s.probeLongTopic(ctx))
}

// probePrefixTopic creates a conversation with a prefixed topic and reads
// the topic back.
func (s *suite) probePrefixTopic(ctx context.Context, tc topicCase) Finding {
	behaviour := "Topic with a " + tc.label
	got, err := s.createAndReadTopic(ctx, tc.topic)
	if err != nil {
		return failed(behaviour, err)
	}
	plain, errPlain := emulatorTopic(emulator.Behaviour{}, tc.topic)
	normalised, errNorm := emulatorTopic(emulator.Behaviour{NormaliseTopics: true}, tc.topic)
	if errPlain != nil || errNorm != nil {
		return failed(behaviour, fmt.Errorf("the reference emulator refused the topic: %v %v", errPlain, errNorm))
	}
	observed := fmt.Sprintf("%q read back as %q", tc.topic, got)
	switch {
	case got == plain && got == normalised:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: observed + ": unchanged",
			Note: "either setting of `-normalise-topics` keeps it"}
	case got == normalised:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: observed + ": prefix stripped",
			Settings: []Setting{exactly(flagNormaliseTopics, true)}}
	case got == plain:
		return Finding{Behaviour: behaviour, Status: Matched, Observed: observed + ": unchanged",
			Settings: []Setting{exactly(flagNormaliseTopics, false)}}
	}
	return Finding{Behaviour: behaviour, Status: Unmatched, Observed: observed,
		Note: fmt.Sprintf("none: the emulator reads back %q, or %q with -normalise-topics", plain, normalised)}
}

// createAndReadTopic creates a conversation and reads its topic back.
func (s *suite) createAndReadTopic(ctx context.Context, topic string) (string, error) {
	id, _, err := s.createConversation(ctx, "topic probe", topic, body{ContentType: "text", Content: "A conversation of the topics probe."}, nil)
	if err != nil {
		return "", err
	}
	return s.c.conversationTopic(ctx, s.group, id)
}

// probeLongTopic creates a topic of 300 characters; when the service
// refuses it, topics of 253 and 254 characters find out whether the limit
// is Exchange's.
func (s *suite) probeLongTopic(ctx context.Context) Finding {
	const behaviour = "Topic of 300 characters"
	long := s.paddedTopic(longTopicLength)
	got, err := s.createAndReadTopic(ctx, long)
	if err == nil {
		switch {
		case got == long:
			return Finding{Behaviour: behaviour, Status: Matched, Observed: "accepted and read back whole",
				Settings: []Setting{exactly(flagMaxTopicLength, 0)}}
		case strings.HasPrefix(long, got):
			return Finding{Behaviour: behaviour, Status: Unmatched,
				Observed: fmt.Sprintf("accepted, read back cut to %d characters", utf16Length(got)),
				Note:     "none: the emulator refuses a topic over -max-topic-length, it never cuts one"}
		}
		return Finding{Behaviour: behaviour, Status: Unmatched, Observed: fmt.Sprintf("accepted, read back as %q", excerpt(got, 80)), Note: "none"}
	}
	ge := asGraphError(err)
	if ge.Status == 0 || ge.Status >= 500 || ge.Status == http.StatusTooManyRequests {
		return failed(behaviour, err)
	}
	refused := "refused with " + ge.Error()
	details := []string{"The 300-character topic: " + refused}
	// Where is the limit? Exchange's is 253.
	_, err253 := s.createAndReadTopic(ctx, s.paddedTopic(emulator.ExchangeMaxTopicLength))
	_, err254 := s.createAndReadTopic(ctx, s.paddedTopic(emulator.ExchangeMaxTopicLength+1))
	switch {
	case err253 == nil && err254 != nil && asGraphError(err254).short() == ge.short():
		return Finding{Behaviour: behaviour, Status: Matched,
			Observed: refused + "; 253 characters are accepted, 254 refused the same way",
			Settings: []Setting{exactly(flagMaxTopicLength, emulator.ExchangeMaxTopicLength)}, Details: details}
	case err253 == nil && err254 == nil:
		return Finding{Behaviour: behaviour, Status: Approximate,
			Observed: refused + "; 253 and 254 characters are accepted: the limit lies between 254 and 299",
			Settings: []Setting{exactly(flagMaxTopicLength, emulator.ExchangeMaxTopicLength)},
			Note:     "with the limit the service has, which the probe did not pin down", Details: details}
	}
	return Finding{Behaviour: behaviour, Status: Approximate,
		Observed: fmt.Sprintf("%s; 253 characters: %s; 254 characters: %s", refused, outcome(err253), outcome(err254)),
		Settings: []Setting{exactly(flagMaxTopicLength, emulator.ExchangeMaxTopicLength)}, Details: details}
}

func outcome(err error) string {
	if err == nil {
		return "accepted"
	}
	return "refused with " + asGraphError(err).short()
}

// utf16Length counts a string as Exchange does (UTF-16 code units).
func utf16Length(s string) int { return len(utf16.Encode([]rune(s))) }
