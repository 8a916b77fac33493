package emulator

import (
	"strings"
)

// Graph's docs promise nothing about the stored form of a post body beyond
// samples, and the samples disagree: see HTMLShape. This file produces each
// shape from the body a client posted.

// htmlWrapPrefix and htmlWrapSuffix make the HTMLWrapped document. The
// client's content sits verbatim between them, so a client can strip the
// wrapper and get back exactly what it sent.
const (
	htmlWrapPrefix = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div>"
	htmlWrapSuffix = "</div></body></html>"
)

// sanitisedPrefix and sanitisedSuffix make the HTMLSanitised document, after
// the samples of conversationthread-list-posts.
const (
	sanitisedPrefix = "<html><body><div><div style=\"direction:ltr;\">"
	sanitisedSuffix = "</div></div></body></html>"
)

// messagePrefix and messageSuffix make the HTMLMessage document, after the
// body of a message created through Graph and read back.
const (
	messagePrefix = "<html>\r\n<head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n"
	messageSuffix = "\r\n</body>\r\n</html>\r\n"
)

// StoredBody is a posted body as the emulator stores it under b and Graph
// reads it back: in b's HTML shape, and converted to HTML when b says text
// bodies are. in.ContentType must be "html" or "text".
func (b Behaviour) StoredBody(in ItemBody) ItemBody {
	switch {
	case in.ContentType == "html":
		return ItemBody{ContentType: "html", Content: b.HTMLShape.document(in.Content)}
	case b.TextToHTML:
		return ItemBody{ContentType: "html", Content: b.HTMLShape.document(textToHTML(in.Content))}
	default:
		return in
	}
}

// document stores posted HTML in the shape. Only HTMLWrapped keeps the
// content verbatim; the other two re-serialise it as Exchange would, taking
// the inside of a posted document's <body>.
func (h HTMLShape) document(content string) string {
	switch h {
	case HTMLSanitised:
		return sanitisedPrefix + sanitiseMarkup(bodyOf(content)) + sanitisedSuffix
	case HTMLMessage:
		return messagePrefix + crlfLines(bodyOf(content)) + messageSuffix
	default:
		return htmlWrapPrefix + content + htmlWrapSuffix
	}
}

// textToHTML converts a text body the way a mail store turns plain text into
// HTML: the characters HTML gives a meaning to are escaped and every line
// break becomes <br>. Whether Graph converts text bodies at all, and how, is
// not documented; this is inferred.
func textToHTML(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(text)
	return strings.ReplaceAll(text, "\n", "<br>\r\n")
}

// crlfLines ends every line in CRLF, as a MIME message body does.
func crlfLines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// bodyOf returns what is inside the <body> element of an HTML document, or
// the whole content when it has no <body> tag.
func bodyOf(content string) string {
	start := indexTag(content, "body", 0)
	if start < 0 {
		return content
	}
	inner := skipTag(content, start+1)
	end := len(content)
	if closing := lastIndexFold(content[inner:], "</body"); closing >= 0 {
		end = inner + closing
	}
	return content[inner:end]
}

// indexTag finds the start tag <name …> at or after from, in any case.
func indexTag(s, name string, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] != '<' || len(s)-i-1 < len(name) || !strings.EqualFold(s[i+1:i+1+len(name)], name) {
			continue
		}
		if next := i + 1 + len(name); next == len(s) || isTagNameEnd(s[next]) {
			return i
		}
	}
	return -1
}

// lastIndexFold is strings.LastIndex ignoring ASCII case. It compares
// slices of equal byte length, so an index it returns is always one of s.
func lastIndexFold(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func isTagNameEnd(c byte) bool {
	return c == '>' || c == '/' || isHTMLSpace(c)
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// sanitiseMarkup rewrites start tags the way Exchange's HTML sanitiser does
// in Graph's samples: every id and every class name gets an "x_" prefix
// (again on each pass, which is why forwarded mail carries "x_x_" ids), and a
// link gets data-auth="NotApplicable". Text, end tags, comments and every
// other attribute are copied unchanged.
func sanitiseMarkup(s string) string {
	var out strings.Builder
	out.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				out.WriteString(s[i:])
				return out.String()
			}
			out.WriteString(s[i : i+4+end+3])
			i += 4 + end + 3
		case s[i] == '<' && i+1 < len(s) && isLetter(s[i+1]):
			i = sanitiseStartTag(&out, s, i)
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	return out.String()
}

func isLetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// sanitiseStartTag copies the start tag at s[i] to out with its attributes
// rewritten and returns the index after it. A tag that never closes is
// copied as it is.
func sanitiseStartTag(out *strings.Builder, s string, i int) int {
	nameEnd := i + 1
	for nameEnd < len(s) && !isTagNameEnd(s[nameEnd]) {
		nameEnd++
	}
	name := strings.ToLower(s[i+1 : nameEnd])
	var tag strings.Builder
	tag.WriteString(s[i:nameEnd])
	hasHref, hasDataAuth := false, false
	j := nameEnd
	for {
		start := j
		for j < len(s) && (isHTMLSpace(s[j]) || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			out.WriteString(s[i:])
			return len(s)
		}
		if s[j] == '>' {
			if name == "a" && hasHref && !hasDataAuth {
				tag.WriteString(` data-auth="NotApplicable"`)
			}
			tag.WriteString(s[start : j+1])
			out.WriteString(tag.String())
			return j + 1
		}
		tag.WriteString(s[start:j])
		attr, next, ok := readAttribute(s, j)
		if !ok {
			out.WriteString(s[i:])
			return len(s)
		}
		switch strings.ToLower(attr.name) {
		case "id":
			attr.value = prefixNames(attr.value, false)
		case "class":
			attr.value = prefixNames(attr.value, true)
			if attr.quote == 0 && strings.ContainsAny(attr.value, " ") {
				// Several names need quotes to stay one value.
				attr.quote = '"'
			}
		case "href":
			hasHref = true
		case "data-auth":
			hasDataAuth = true
		}
		tag.WriteString(attr.String())
		j = next
	}
}

// attribute is one attribute of a start tag as written: the text between its
// name and its value (= with any blanks) and the quote around the value are
// kept so that the tag is copied exactly.
type attribute struct {
	name, equals, value string
	quote               byte // 0 for an unquoted value
	hasValue            bool
}

func (a attribute) String() string {
	if !a.hasValue {
		return a.name
	}
	if a.quote == 0 {
		return a.name + a.equals + a.value
	}
	return a.name + a.equals + string(a.quote) + a.value + string(a.quote)
}

// readAttribute reads the attribute starting at s[i] and returns it with the
// index after it. ok is false when a quoted value never closes.
func readAttribute(s string, i int) (a attribute, next int, ok bool) {
	j := i
	for j < len(s) && s[j] != '=' && s[j] != '>' && s[j] != '/' && !isHTMLSpace(s[j]) {
		j++
	}
	if j == i { // a lone '=' where a name should be: HTML reads it as a name
		j++
	}
	a.name = s[i:j]
	k := j
	for k < len(s) && isHTMLSpace(s[k]) {
		k++
	}
	if k >= len(s) || s[k] != '=' {
		return a, j, true
	}
	k++
	for k < len(s) && isHTMLSpace(s[k]) {
		k++
	}
	a.equals, a.hasValue = s[j:k], true
	if k < len(s) && (s[k] == '"' || s[k] == '\'') {
		a.quote = s[k]
		end := strings.IndexByte(s[k+1:], a.quote)
		if end < 0 {
			return a, len(s), false
		}
		a.value = s[k+1 : k+1+end]
		return a, k + 1 + end + 1, true
	}
	v := k
	for v < len(s) && s[v] != '>' && !isHTMLSpace(s[v]) {
		v++
	}
	a.value = s[k:v]
	return a, v, true
}

// prefixNames puts "x_" before an id, or before each of a list of class
// names (separated by HTML white space).
func prefixNames(value string, list bool) string {
	if !list {
		if strings.TrimSpace(value) == "" {
			return value
		}
		return "x_" + value
	}
	names := strings.FieldsFunc(value, func(r rune) bool { return r < 0x80 && isHTMLSpace(byte(r)) })
	for i, n := range names {
		names[i] = "x_" + n
	}
	return strings.Join(names, " ")
}
