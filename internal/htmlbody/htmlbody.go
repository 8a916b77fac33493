// Package htmlbody models a post body's content as Terraform sees it.
//
// Exchange stores an HTML post as a whole document: what was posted comes
// back wrapped in <html><head>…</head><body><div>…</div></body></html>. The
// content a user wrote and the content Graph returns are the same post, so
// this package gives the framework a string type whose semantic equality
// ignores that wrapping, and Unwrap recovers what the user wrote.
package htmlbody

import (
	"regexp"
	"strings"
)

var documentPattern = regexp.MustCompile(`(?is)^\s*<html[^>]*>.*?<body[^>]*>(.*)</body>\s*</html>\s*$`)

// Unwrap returns the content the poster wrote, given content as Exchange
// stores it: the inside of <body>, without the single <div> Exchange wraps it
// in. Content that is not a wrapped document is returned unchanged.
func Unwrap(content string) string {
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

// Normalize maps contents that are the same post to the same string: unwrapped,
// with CRLF line ends as LF and leading and trailing white space removed.
func Normalize(content string) string {
	return strings.TrimSpace(strings.ReplaceAll(Unwrap(content), "\r\n", "\n"))
}

// SemanticallyEqual reports whether two contents are the same post body.
func SemanticallyEqual(a, b string) bool {
	return a == b || Normalize(a) == Normalize(b)
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
