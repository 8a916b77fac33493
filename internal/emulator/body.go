package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode/utf8"
)

// maxRequestBodyBytes bounds request bodies, before and after gunzip. Graph
// rejects large JSON payloads too; 4 MiB is the documented limit for
// attachments sent inline, so it is used for every body here.
const maxRequestBodyBytes = 4 << 20

// maxPreviewRunes is the length Exchange cuts previews to.
const maxPreviewRunes = 255

// readBody returns the request body, gunzipped when the client says so. The
// Kiota compression handler (kiota-http-go) gzips every body it sends.
func (c *call) readBody() ([]byte, *apiError) {
	if c.r.Body == nil {
		return nil, nil
	}
	if c.r.ContentLength > maxRequestBodyBytes {
		return nil, errPayloadTooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(c.r.Body, maxRequestBodyBytes+1))
	if err != nil {
		return nil, errBadRequest("The request body could not be read.")
	}
	if len(data) > maxRequestBodyBytes {
		return nil, errPayloadTooLarge()
	}
	switch encoding := strings.ToLower(strings.TrimSpace(c.r.Header.Get("Content-Encoding"))); encoding {
	case "", "identity":
		return data, nil
	case "gzip", "x-gzip":
		return gunzip(data)
	default:
		return nil, errUnsupportedEncoding(encoding)
	}
}

func gunzip(data []byte) ([]byte, *apiError) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, errBadRequest("The request body is labelled Content-Encoding: gzip but is not valid gzip data.")
	}
	plain, err := io.ReadAll(io.LimitReader(zr, maxRequestBodyBytes+1))
	if err != nil {
		return nil, errBadRequest("The request body is labelled Content-Encoding: gzip but is not valid gzip data.")
	}
	if len(plain) > maxRequestBodyBytes {
		return nil, errPayloadTooLarge()
	}
	return plain, nil
}

// decodeJSONBody reads the body and unmarshals it into v. Unknown members,
// including the "@odata.type" the SDK adds to every post, are ignored, and
// member names match case-insensitively, which is how the capital "Post" key
// of SDK reply bodies is accepted.
func (c *call) decodeJSONBody(v any) *apiError {
	data, apiErr := c.readBody()
	if apiErr != nil {
		return apiErr
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return errBadRequest("Empty Payload. JSON content expected.")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errBadRequest("Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
	}
	return nil
}

// The request types use pointers so that a missing member and a JSON null can
// be told apart from an empty value, and slices of pointers so that a null
// element is caught instead of read as a zero value.

type emailAddressIn struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

type recipientIn struct {
	EmailAddress *emailAddressIn `json:"emailAddress"`
}

type itemBodyIn struct {
	ContentType *string `json:"contentType"`
	Content     *string `json:"content"`
}

type postIn struct {
	Body            *itemBodyIn    `json:"body"`
	NewParticipants []*recipientIn `json:"newParticipants"`
	// Extensions and SingleValueExtendedProperties stamp the new post (see
	// stamps.go).
	Extensions                    []json.RawMessage     `json:"extensions"`
	SingleValueExtendedProperties []*extendedPropertyIn `json:"singleValueExtendedProperties"`
}

type threadIn struct {
	Topic        *string        `json:"topic"`
	ToRecipients []*recipientIn `json:"toRecipients"`
	CcRecipients []*recipientIn `json:"ccRecipients"`
	Posts        []*postIn      `json:"posts"`
}

type conversationIn struct {
	Topic   *string     `json:"topic"`
	Threads []*threadIn `json:"threads"`
}

type replyIn struct {
	Post *postIn `json:"post"`
}

type forwardIn struct {
	Comment      *string        `json:"comment"`
	ToRecipients []*recipientIn `json:"toRecipients"`
}

type threadPatchIn struct {
	IsLocked *bool `json:"isLocked"`
}

// toRecipients validates recipients. Exchange rejects a recipient without an
// address; the code and message here are an assumption.
func toRecipients(in []*recipientIn) ([]Recipient, *apiError) {
	out := make([]Recipient, 0, len(in))
	for _, r := range in {
		if r == nil || r.EmailAddress == nil || strings.TrimSpace(r.EmailAddress.Address) == "" {
			return nil, newAPIError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid: every recipient needs emailAddress.address.")
		}
		out = append(out, Recipient{Name: r.EmailAddress.Name, Address: strings.TrimSpace(r.EmailAddress.Address)})
	}
	return out, nil
}

// toPostInput validates a post from a create or reply request. A post without
// a body is rejected: every example in Graph's docs sends one, and a post
// without content is useless (inferred).
func toPostInput(p *postIn) (newPostInput, *apiError) {
	if p == nil || p.Body == nil {
		return newPostInput{}, errInvalidRequest("The post must have a body.")
	}
	body, err := normaliseBody(p.Body)
	if err != nil {
		return newPostInput{}, err
	}
	participants, err := toRecipients(p.NewParticipants)
	if err != nil {
		return newPostInput{}, err
	}
	stamps, err := parseStamps(p.Extensions, p.SingleValueExtendedProperties)
	if err != nil {
		return newPostInput{}, err
	}
	return newPostInput{body: body, newParticipants: participants, stamps: stamps}, nil
}

// normaliseBody checks contentType. A missing contentType means text, which is
// Graph's default for itemBody.
func normaliseBody(b *itemBodyIn) (ItemBody, *apiError) {
	contentType := "text"
	if b.ContentType != nil {
		contentType = strings.ToLower(*b.ContentType)
	}
	if contentType != "text" && contentType != "html" {
		return ItemBody{}, errBadRequest(fmt.Sprintf("Cannot convert the literal '%s' to the expected type 'microsoft.graph.bodyType'.", *b.ContentType))
	}
	var content string
	if b.Content != nil {
		content = *b.Content
	}
	return ItemBody{ContentType: contentType, Content: content}, nil
}

// previewOf is the plain-text summary Exchange shows for a post: tags
// stripped, entities decoded, whitespace collapsed and cut to 255 runes.
// Tags are removed without leaving a space, matching the docs' sample
// "...Ask HR group.Use the group..." where two paragraphs run together.
func previewOf(b ItemBody) string {
	text := b.Content
	if b.ContentType == "html" {
		text = html.UnescapeString(stripTags(text))
	}
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) > maxPreviewRunes {
		text = string([]rune(text)[:maxPreviewRunes])
	}
	return text
}

// stripTags removes tags and comments from HTML. A '<' not followed by a
// letter, '/', '!' or '?' is text, as in browsers, so "a < b" survives. A
// quote only opens an attribute value right after '=', so a stray apostrophe
// inside a tag does not swallow the rest of the document.
func stripTags(s string) string {
	var out strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		if s[i] == '<' && i+1 < len(s) && startsTag(s[i+1]) {
			i = skipTag(s, i+1)
			continue
		}
		out.WriteByte(s[i])
		i++
	}
	return out.String()
}

func startsTag(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// skipTag returns the index just past the '>' that closes the tag starting at
// i, or len(s) when the tag never closes.
func skipTag(s string, i int) int {
	var quote byte
	var previous byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && previous == '=':
			quote = c
		case c == '>':
			return i + 1
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			previous = c
		}
	}
	return len(s)
}
