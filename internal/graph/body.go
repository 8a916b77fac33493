package graph

import (
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// Exchange does not keep a post's body as it was posted, and Graph's docs
// show several stored forms (resources/post, conversationthread-list-posts,
// and a message read back): the posted markup wrapped in
// <html><head>…</head><body><div>…</div></body></html>; the same after
// Exchange's HTML sanitiser, in nested <div>s, every id and class name
// prefixed with "x_" and links marked data-auth="NotApplicable"; a document
// whose every line ends in CRLF; and text bodies possibly turned into HTML
// (characters escaped, line breaks as <br>). So two bodies are compared by
// what a reader sees: their text, with white space as HTML renders it, and
// the markup that carries meaning, without the document, wrapper <div>s,
// comments and what the sanitiser adds. The resources' plan modifier, the
// framework type of body content (internal/htmlbody) and the search for a
// create whose answer was lost all compare with SameBody or
// SameBodyContent, and an import reads a body back with ImportedBody.

// SameBody reports whether two post bodies are the same post: both text,
// with equal text once line ends and surrounding white space are set aside;
// or, when either is HTML (an empty content type is Graph's default, html),
// equal as a reader sees them, a text body read as the HTML a mail store
// makes of it.
func SameBody(a, b ItemBody) bool {
	aText, bText := isText(a.ContentType), isText(b.ContentType)
	if aText && bText {
		return normaliseText(a.Content) == normaliseText(b.Content)
	}
	return canonicalHTML(asHTML(a)) == canonicalHTML(asHTML(b))
}

// SameBodyContent reports whether two contents of the same body attribute
// are the same post, without knowing their content type: equal as text, or
// equal as HTML as a reader sees it.
func SameBodyContent(a, b string) bool {
	return a == b || normaliseText(a) == normaliseText(b) || canonicalHTML(a) == canonicalHTML(b)
}

// ImportedBody is a stored body as a user would have written it in a
// configuration: HTML without the document, the wrapper <div>s and what
// the sanitiser added, line ends as LF (inside a wrapper exactly as it
// was posted, otherwise without the white space around it); and text that
// a mail store turned into HTML (only text and <br> line breaks) as that
// text again.
func ImportedBody(stored ItemBody) ItemBody {
	if isText(stored.ContentType) {
		return ItemBody{ContentType: "text", Content: stored.Content}
	}
	all := bodyTokens(stored.Content)
	tokens := unwrapped(all)
	if text, ok := convertedText(tokens); ok {
		return ItemBody{ContentType: "text", Content: text}
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString(t.written())
	}
	content := lineEndsAsLF(b.String())
	if len(tokens) == len(all) {
		// No wrapper marked where the posted content began and ended, so
		// the white space around it may be the document's.
		content = strings.Trim(content, htmlSpace)
	}
	return ItemBody{ContentType: "html", Content: content}
}

// htmlSpace is what HTML takes for white space.
const htmlSpace = " \t\n\r\f"

func isText(contentType string) bool { return strings.EqualFold(contentType, "text") }

// normaliseText maps contents that differ only by line ends and surrounding
// white space to the same string.
func normaliseText(s string) string {
	return strings.TrimSpace(lineEndsAsLF(s))
}

func lineEndsAsLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// asHTML is a body's content as HTML: text escaped, its line breaks as
// <br>, as a mail store converts a text body.
func asHTML(b ItemBody) string {
	if !isText(b.ContentType) {
		return b.Content
	}
	return strings.ReplaceAll(html.EscapeString(strings.Trim(lineEndsAsLF(b.Content), htmlSpace)), "\n", "<br>")
}

// bodyToken is a token of a body's content.
type bodyToken struct {
	kind html.TokenType // StartTagToken, EndTagToken or TextToken
	tag  string         // lower case
	// attrs are a start tag's attributes as parsed (entities decoded).
	attrs []html.Attribute
	// text is a text token's text, entities decoded, line ends as LF.
	text string
	// raw is the token as written.
	raw string
}

// bodyTokens tokenises HTML content and keeps what is inside its <body>
// (all of it when it has none), without comments, doctypes and the
// elements of the document's head.
func bodyTokens(content string) []bodyToken {
	z := html.NewTokenizer(strings.NewReader(content))
	var all []bodyToken
	inHead := false
	bodyStart, bodyEnd := -1, -1
	for {
		kind := z.Next()
		if kind == html.ErrorToken {
			break
		}
		raw := string(z.Raw())
		token := z.Token()
		name := strings.ToLower(token.Data)
		switch kind {
		case html.TextToken:
			if !inHead {
				all = append(all, bodyToken{kind: kind, text: token.Data, raw: raw})
			}
			continue
		case html.StartTagToken, html.SelfClosingTagToken:
			switch name {
			case "head":
				inHead = true
				continue
			case "body":
				inHead = false
				if bodyStart < 0 {
					bodyStart = len(all)
				}
				continue
			case "html":
				continue
			}
			if !inHead {
				all = append(all, bodyToken{kind: html.StartTagToken, tag: name, attrs: token.Attr, raw: raw})
			}
		case html.EndTagToken:
			switch name {
			case "head":
				inHead = false
				continue
			case "body":
				bodyEnd = len(all)
				continue
			case "html":
				continue
			}
			if !inHead {
				all = append(all, bodyToken{kind: kind, tag: name, raw: raw})
			}
		}
	}
	if bodyStart >= 0 {
		end := len(all)
		if bodyEnd >= bodyStart {
			end = bodyEnd
		}
		all = all[bodyStart:end]
	}
	return all
}

// written is the token as a user would have written it: as it was written,
// or, for a start tag Exchange's sanitiser changed, rewritten without the
// change.
func (t bodyToken) written() string {
	if t.kind != html.StartTagToken {
		return t.raw
	}
	attrs, changed := unsanitised(t.attrs)
	if !changed {
		return t.raw
	}
	return html.Token{Type: html.StartTagToken, Data: t.tag, Attr: attrs}.String()
}

// unsanitised undoes one pass of Exchange's sanitiser on a start tag's
// attributes: one "x_" prefix off the id and each class name, and the
// data-auth="NotApplicable" it puts on links.
func unsanitised(attrs []html.Attribute) ([]html.Attribute, bool) {
	changed := false
	out := make([]html.Attribute, 0, len(attrs))
	for _, a := range attrs {
		switch strings.ToLower(a.Key) {
		case "data-auth":
			if strings.EqualFold(a.Val, "NotApplicable") {
				changed = true
				continue
			}
		case "id", "class":
			names := htmlFields(a.Val)
			prefixed := len(names) > 0
			for i, n := range names {
				if !strings.HasPrefix(n, "x_") {
					prefixed = false
					break
				}
				names[i] = strings.TrimPrefix(n, "x_")
			}
			if prefixed {
				a.Val = strings.Join(names, " ")
				changed = true
			}
		}
		out = append(out, a)
	}
	return out, changed
}

// unwrapped removes the <div>s Exchange wraps a body in: a <div> without
// attributes, or with only a left-to-right direction, that encloses all the
// rest, as many times as there are. White space around them goes too.
func unwrapped(tokens []bodyToken) []bodyToken {
	for {
		inner := trimBlankText(tokens)
		if len(inner) < 2 || !isWrapperDiv(inner[0]) || inner[len(inner)-1].kind != html.EndTagToken || inner[len(inner)-1].tag != "div" {
			return tokens
		}
		depth := 0
		for i, t := range inner {
			if t.tag != "div" || t.kind == html.TextToken {
				continue
			}
			if t.kind == html.StartTagToken {
				depth++
			} else {
				depth--
			}
			if depth == 0 && i != len(inner)-1 {
				// The first <div> closes before the end: not a wrapper.
				return tokens
			}
		}
		if depth != 0 {
			return tokens
		}
		tokens = inner[1 : len(inner)-1]
	}
}

// trimBlankText drops white space text tokens at both ends.
func trimBlankText(tokens []bodyToken) []bodyToken {
	for len(tokens) > 0 && tokens[0].kind == html.TextToken && strings.TrimSpace(tokens[0].text) == "" {
		tokens = tokens[1:]
	}
	for len(tokens) > 0 && tokens[len(tokens)-1].kind == html.TextToken && strings.TrimSpace(tokens[len(tokens)-1].text) == "" {
		tokens = tokens[:len(tokens)-1]
	}
	return tokens
}

// isWrapperDiv reports a <div> that says nothing but that its content runs
// left to right, as Exchange's wrappers do.
func isWrapperDiv(t bodyToken) bool {
	if t.kind != html.StartTagToken || t.tag != "div" {
		return false
	}
	for _, a := range t.attrs {
		key, val := strings.ToLower(a.Key), strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
		switch {
		case key == "dir" && val == "ltr":
		case key == "style" && strings.TrimSuffix(val, ";") == "direction:ltr":
		default:
			return false
		}
	}
	return true
}

// convertedText reads tokens that are only text and <br> line breaks, each
// <br> followed by a line end and no line end elsewhere, as the text a mail
// store converted into them; ok is false for anything else (a line end
// elsewhere is white space in HTML, not a line break), or when there is no
// line break to tell converted text from HTML.
func convertedText(tokens []bodyToken) (string, bool) {
	breaks := 0
	for _, t := range tokens {
		switch {
		case t.kind == html.TextToken:
		case t.kind == html.StartTagToken && t.tag == "br" && len(t.attrs) == 0:
			breaks++
		case t.kind == html.EndTagToken && t.tag == "br":
		default:
			return "", false
		}
	}
	if breaks == 0 {
		return "", false
	}
	var b strings.Builder
	afterBreak := false
	for _, t := range tokens {
		switch t.kind {
		case html.TextToken:
			text := t.text
			if afterBreak {
				// The converter puts a line end after each <br>.
				text = strings.TrimPrefix(text, "\n")
			}
			if strings.Contains(text, "\n") {
				return "", false
			}
			b.WriteString(text)
			afterBreak = false
		case html.StartTagToken:
			b.WriteString("\n")
			afterBreak = true
		}
	}
	return normaliseText(b.String()), true
}

// blockTags are the elements that start a new line where they open or
// close, so that white space next to them shows nothing.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true, "caption": true, "center": true,
	"col": true, "colgroup": true, "dd": true, "details": true, "dialog": true, "dir": true, "div": true, "dl": true,
	"dt": true, "fieldset": true, "figcaption": true, "figure": true, "footer": true, "form": true, "h1": true,
	"h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "header": true, "hgroup": true, "hr": true,
	"li": true, "main": true, "menu": true, "nav": true, "ol": true, "p": true, "pre": true, "section": true,
	"summary": true, "table": true, "tbody": true, "td": true, "tfoot": true, "th": true, "thead": true, "tr": true,
	"ul": true,
}

// voidTags have no end tag; one written anyway means nothing.
var voidTags = map[string]bool{
	"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true, "input": true,
	"link": true, "meta": true, "param": true, "source": true, "track": true, "wbr": true,
}

// canonicalHTML is HTML content as a reader sees it, as one string: the
// tokens of its body without wrapper <div>s, attributes without what the
// sanitiser added (every "x_" prefix, data-auth) in a fixed order, text
// with runs of white space as one space (none next to a line-breaking
// element or at either end), except inside <pre>.
func canonicalHTML(content string) string {
	tokens := bodyTokens(content)
	var out []bodyToken
	pre := 0
	for _, t := range tokens {
		switch t.kind {
		case html.TextToken:
			if pre == 0 {
				t.text = collapseSpace(t.text)
			}
			if n := len(out); n > 0 && out[n-1].kind == html.TextToken {
				out[n-1].text += t.text
				continue
			}
		case html.StartTagToken:
			if t.tag == "pre" {
				pre++
			}
			t.attrs = canonicalAttrs(t.attrs)
		case html.EndTagToken:
			if voidTags[t.tag] {
				continue
			}
			if t.tag == "pre" && pre > 0 {
				pre--
			}
		}
		out = append(out, t)
	}
	// White space next to a line-breaking element, or at either end of the
	// body (even in an unclosed <pre>), shows nothing.
	for i := range out {
		if out[i].kind != html.TextToken {
			continue
		}
		inPre := isInPre(out, i)
		if i == 0 || !inPre && blockTags[out[i-1].tag] {
			out[i].text = strings.TrimLeft(out[i].text, " \t\n\f")
		}
		if i == len(out)-1 || !inPre && blockTags[out[i+1].tag] {
			out[i].text = strings.TrimRight(out[i].text, " \t\n\f")
		}
	}
	out = slices.DeleteFunc(out, func(t bodyToken) bool { return t.kind == html.TextToken && t.text == "" })
	out = unwrapped(out)
	// A line break that ends a block, or the body, starts no new line: a
	// text ending in a line end comes back from a mail store's conversion
	// ending in <br>. Line breaks that start the body are set aside like
	// the blank lines a text body starts with.
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].kind == html.StartTagToken && out[i].tag == "br" && (i == len(out)-1 || out[i+1].kind == html.EndTagToken && blockTags[out[i+1].tag]) {
			out = slices.Delete(out, i, i+1)
		}
	}
	for len(out) > 0 && out[0].kind == html.StartTagToken && out[0].tag == "br" {
		out = out[1:]
	}
	var b strings.Builder
	for _, t := range out {
		switch t.kind {
		case html.TextToken:
			b.WriteString(html.EscapeString(t.text))
		case html.StartTagToken:
			b.WriteString(html.Token{Type: html.StartTagToken, Data: t.tag, Attr: t.attrs}.String())
		case html.EndTagToken:
			b.WriteString("</" + t.tag + ">")
		}
	}
	return b.String()
}

// isInPre reports whether the text token at i is inside a <pre>.
func isInPre(tokens []bodyToken, i int) bool {
	depth := 0
	for _, t := range tokens[:i] {
		if t.tag != "pre" {
			continue
		}
		if t.kind == html.StartTagToken {
			depth++
		} else if depth > 0 {
			depth--
		}
	}
	return depth > 0
}

// htmlFields splits s at runs of HTML white space, as class lists are.
func htmlFields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(htmlSpace, r) })
}

// collapseSpace turns each run of HTML white space into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// canonicalAttrs is a start tag's attributes in a fixed order, names in
// lower case, without data-auth, ids and class names without their "x_"
// prefixes, and class lists with single spaces.
func canonicalAttrs(attrs []html.Attribute) []html.Attribute {
	out := make([]html.Attribute, 0, len(attrs))
	for _, a := range attrs {
		a.Key = strings.ToLower(a.Key)
		a.Namespace = ""
		switch a.Key {
		case "data-auth":
			continue
		case "id", "class":
			names := htmlFields(a.Val)
			for i, n := range names {
				for strings.HasPrefix(n, "x_") {
					n = n[len("x_"):]
				}
				names[i] = n
			}
			a.Val = strings.Join(names, " ")
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(x, y html.Attribute) int { return strings.Compare(x.Key, y.Key) })
	return out
}
