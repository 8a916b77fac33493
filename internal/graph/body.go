package graph

import (
	"regexp"
	"strings"
)

// Exchange stores an HTML post as a whole document: what was posted comes
// back wrapped in <html><head>…</head><body><div>…</div></body></html>. The
// functions here recover what was posted and tell whether two bodies are the
// same post.

var documentPattern = regexp.MustCompile(`(?is)^\s*<html[^>]*>.*?<body[^>]*>(.*)</body>\s*</html>\s*$`)

// UnwrapHTML returns the content the poster wrote, given HTML content as
// Exchange stores it: the inside of <body>, without the single <div> Exchange
// wraps it in. Content that is not a wrapped document is returned unchanged.
func UnwrapHTML(content string) string {
	match := documentPattern.FindStringSubmatch(content)
	if match == nil {
		return content
	}
	inner := match[1]
	if wrapped, ok := stripWrappingDiv(inner); ok {
		return wrapped
	}
	return inner
}

// NormalizeBody maps contents that are the same post to the same string:
// unwrapped, with CRLF line ends as LF and leading and trailing white space
// removed.
func NormalizeBody(content string) string {
	return strings.TrimSpace(strings.ReplaceAll(UnwrapHTML(content), "\r\n", "\n"))
}

// SameBodyContent reports whether two contents are the same post body.
func SameBodyContent(a, b string) bool {
	return a == b || NormalizeBody(a) == NormalizeBody(b)
}

var divTag = regexp.MustCompile(`(?i)<div(?:\s[^>]*)?>|</div\s*>`)

// stripWrappingDiv removes one <div>…</div> pair when it encloses all of s,
// and only then: "<div>a</div><div>b</div>" is two divs the user wrote.
func stripWrappingDiv(s string) (string, bool) {
	tags := divTag.FindAllStringIndex(s, -1)
	if len(tags) < 2 || tags[0][0] != 0 || tags[len(tags)-1][1] != len(s) || strings.HasPrefix(s[tags[0][0]:], "</") {
		return "", false
	}
	depth := 0
	for i, tag := range tags {
		if strings.HasPrefix(s[tag[0]:tag[1]], "</") {
			depth--
		} else {
			depth++
		}
		if depth == 0 && i != len(tags)-1 {
			return "", false
		}
	}
	if depth != 0 {
		return "", false
	}
	return s[tags[0][1]:tags[len(tags)-1][0]], true
}
