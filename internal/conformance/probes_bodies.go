package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// Graph's docs show the stored form of a post body only in samples that
// disagree with each other. These probes post bodies and read them back, and
// compare the answer byte for byte with what each of the emulator's shapes
// stores for the same body.

type bodyCase struct {
	label string
	body  body
}

var htmlCases = []bodyCase{
	{"a paragraph", body{"html", "<p>A paragraph with <b>bold</b> and <i>italic</i> text.</p>"}},
	{"ids, classes and a link", body{"html", `<div id="intro" class="lead note"><p>See <a href="https://example.com/notes">the notes</a>.</p></div>`}},
	{"a whole document", body{"html", "<html><head><title>Notes</title></head><body><p>A whole document.</p></body></html>"}},
	{"several lines and a list", body{"html", "<p>First line</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"}},
}

var textCases = []bodyCase{
	{"one line", body{"text", "A text body on one line."}},
	{"lines and markup characters", body{"text", "First line & more\nSecond <line>\n\nFourth line"}},
}

var htmlShapes = []emulator.HTMLShape{emulator.HTMLWrapped, emulator.HTMLSanitised, emulator.HTMLMessage}

// storedBody creates a conversation with the body as its first post and
// reads that post's body back.
func (s *suite) storedBody(ctx context.Context, label string, posted body) (body, error) {
	conversationID, threadID, err := s.createConversation(ctx, label, s.topic(label), posted, nil)
	if err != nil {
		return body{}, err
	}
	posts, _, err := s.c.postsPage(ctx, s.group, conversationID, threadID, "")
	if err != nil {
		return body{}, err
	}
	if len(posts) == 0 {
		return body{}, fmt.Errorf("the new conversation's thread lists no post")
	}
	return posts[0].Body, nil
}

// candidate is what the emulator stores under one behaviour.
type candidate struct {
	settings []Setting
	stored   body
}

// bodyCandidates lists what the emulator stores for posted under each
// behaviour that can matter for it.
func bodyCandidates(posted body) ([]candidate, error) {
	var out []candidate
	for _, shape := range htmlShapes {
		for _, textToHTML := range []bool{false, true} {
			if posted.ContentType == "html" && textToHTML {
				continue // text-to-html does not touch HTML bodies
			}
			stored, err := emulatorBody(emulator.Behaviour{HTMLShape: shape, TextToHTML: textToHTML}, posted)
			if err != nil {
				return nil, err
			}
			var settings []Setting
			if posted.ContentType == "text" {
				settings = append(settings, exactly(flagTextToHTML, textToHTML))
				if !textToHTML {
					// A text body kept as text says nothing about shapes.
					if shape != emulator.HTMLWrapped {
						continue
					}
					out = append(out, candidate{settings: settings, stored: stored})
					continue
				}
			}
			settings = append(settings, exactly(flagHTMLShape, shape))
			out = append(out, candidate{settings: settings, stored: stored})
		}
	}
	return out, nil
}

func (s *suite) probeHTML(ctx context.Context) []Finding {
	var out []Finding
	for _, bc := range htmlCases {
		out = append(out, s.probeBody(ctx, "Stored HTML: "+bc.label, bc.body))
	}
	return out
}

func (s *suite) probeText(ctx context.Context) []Finding {
	var out []Finding
	for _, bc := range textCases {
		out = append(out, s.probeBody(ctx, "Stored text: "+bc.label, bc.body))
	}
	return out
}

func (s *suite) probeBody(ctx context.Context, behaviour string, posted body) Finding {
	got, err := s.storedBody(ctx, strings.ToLower(behaviour), posted)
	if err != nil {
		return failed(behaviour, err)
	}
	return classifyBody(behaviour, posted, got)
}

// classifyBody compares a body read back with what each emulator shape
// stores for the posted body.
func classifyBody(behaviour string, posted, got body) Finding {
	candidates, err := bodyCandidates(posted)
	if err != nil {
		return failed(behaviour, fmt.Errorf("the reference emulator: %w", err))
	}
	details := []string{codeBlock("Posted ("+posted.ContentType+")", posted.Content), codeBlock("Read back ("+got.ContentType+")", got.Content)}
	observed := describeStored(posted, got)
	for _, c := range candidates {
		if c.stored == got {
			return Finding{Behaviour: behaviour, Status: Matched, Observed: observed, Settings: c.settings, Details: details}
		}
	}
	// Nothing byte for byte: name the closest, by line endings and white
	// space, then by the sanitiser's marks.
	for _, c := range candidates {
		if c.stored.ContentType == got.ContentType && looseEqual(c.stored.Content, got.Content) {
			return Finding{Behaviour: behaviour, Status: Approximate, Observed: observed, Settings: c.settings,
				Note: "differs in line endings or white space only", Details: details}
		}
	}
	if got.ContentType == "html" {
		for _, c := range candidates {
			if c.stored.ContentType == "html" && sameFeatures(c.stored.Content, got.Content) {
				return Finding{Behaviour: behaviour, Status: Approximate, Observed: observed, Settings: c.settings,
					Note: "the same kind of document, not byte for byte (see details)", Details: details}
			}
		}
	}
	return Finding{Behaviour: behaviour, Status: Unmatched, Observed: observed,
		Note: "none of the emulator's shapes (see details)", Details: details}
}

// describeStored says in one line how the stored body relates to the
// posted one.
func describeStored(posted, got body) string {
	kind := got.ContentType
	if kind != posted.ContentType {
		kind = posted.ContentType + " stored as " + got.ContentType
	} else {
		kind = "kept as " + kind
	}
	switch {
	case got.Content == posted.Content:
		return kind + ", unchanged"
	case strings.Contains(got.Content, posted.Content):
		i := strings.Index(got.Content, posted.Content)
		return fmt.Sprintf("%s, the posted content unchanged inside %s…%s", kind,
			code(excerpt(got.Content[:i], 70)), code(excerpt(got.Content[i+len(posted.Content):], 40)))
	}
	return kind + ": " + code(excerpt(got.Content, 110))
}

// looseEqual compares two bodies ignoring line endings and white space
// between tags.
func looseEqual(a, b string) bool {
	squash := func(s string) string {
		return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "> <", "><")
	}
	return squash(a) == squash(b)
}

// sameFeatures reports whether two documents show the same marks of a
// stored shape: the sanitiser's x_ prefixes and direction div, the message
// document's CRLF lines, the wrapper's <body><div>.
func sameFeatures(a, b string) bool {
	marks := []string{`id="x_`, `class="x_`, `style="direction:ltr;"`, "\r\n<body>\r\n", "<body><div>", `data-auth="NotApplicable"`}
	for _, m := range marks {
		if strings.Contains(a, m) != strings.Contains(b, m) {
			return false
		}
	}
	return true
}

// code quotes text as a markdown code span, so that markup in it is shown,
// not rendered.
func code(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
