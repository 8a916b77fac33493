package graph

import (
	"strings"
	"unicode"
	"unicode/utf16"
)

// In Exchange a conversation's topic is the normalised subject of its
// messages: a prefix of one to three characters, none of them a colon, a
// blank or a digit, followed by a colon and blanks ("RE: ", "FYI: ") is not
// part of it, so "FYI: office closed" may read back as "office closed",
// while "Q3: results" keeps its prefix (Exchange's protocol specifications
// MS-OXCMAIL 2.2.3.2.6.1 and MS-OXOMSG 2.2.1.5). Whether Graph's topic is
// that property is not documented, so a topic read back in that form is
// the topic that was configured, never a change.

// MaxTopicLength is the longest topic Exchange takes: prefix and normalised
// subject together under 254 characters (MS-OXCMSG 2.2.1.9), counted in
// UTF-16 code units, as Exchange's strings are.
const MaxTopicLength = 253

// TopicLength is a topic's length as Exchange counts it: in UTF-16 code
// units, so a character outside the Basic Multilingual Plane, such as most
// emoji, counts two.
func TopicLength(topic string) int { return len(utf16.Encode([]rune(topic))) }

// SameTopic reports whether stored, a topic Graph read back, is the topic
// configured was posted as: the same, or the same once subject prefixes
// are taken off the configured topic (one or more, since a service may
// take off more than the first, as with "RE: FW: x"), white space at either
// end set aside.
func SameTopic(configured, stored string) bool {
	stored = strings.TrimSpace(stored)
	for topic, i := strings.TrimSpace(configured), 0; i < 10; i++ {
		if topic == stored {
			return true
		}
		next := withoutSubjectPrefix(topic)
		if next == topic {
			return false
		}
		topic = next
	}
	return false
}

// withoutSubjectPrefix takes one subject prefix off a topic, and the blanks
// after it; a topic that would be left empty, or has no prefix, is
// returned as it is.
func withoutSubjectPrefix(topic string) string {
	for i, r := range topic {
		if r == ':' {
			if i == 0 {
				return topic
			}
			rest := strings.TrimLeft(topic[i+1:], " \t")
			if rest == "" {
				return topic
			}
			return rest
		}
		if len([]rune(topic[:i])) >= 3 || r == ' ' || r == '\t' || unicode.IsDigit(r) {
			return topic
		}
	}
	return topic
}
