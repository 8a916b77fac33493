package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// successContentType is what Graph sends with JSON answers. Some clients check
// for the odata.metadata parameter, so it is copied verbatim.
const successContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// field is one JSON member. object keeps members in insertion order so answers
// look like Graph's (@odata.context first, id next) instead of sorted by key.
type field struct {
	name  string
	value any
}

type object []field

func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeNoEscape(&buf, f.name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encodeNoEscape(&buf, f.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeNoEscape encodes v without turning '<', '>' and '&' into \u003c
// escapes, so HTML bodies stay readable with curl. Both forms are valid JSON.
func encodeNoEscape(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode appends a newline.
	return nil
}

// formatTime renders a DateTimeOffset the way Graph does for these resources:
// UTC with second precision, e.g. 2021-08-02T11:42:38Z.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

func recipientJSON(r Recipient) object {
	return object{{"emailAddress", object{{"name", r.Name}, {"address", r.Address}}}}
}

func recipientsJSON(rs []Recipient) []object {
	out := make([]object, 0, len(rs))
	for _, r := range rs {
		out = append(out, recipientJSON(r))
	}
	return out
}

// stringsJSON makes sure an empty list is written as [] rather than null.
func stringsJSON(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// writeJSON writes a successful JSON answer.
func (c *call) writeJSON(status int, body object) {
	c.w.Header().Set("OData-Version", "4.0")
	c.writeBody(status, successContentType, body)
}

func (c *call) writeBody(status int, contentType string, body object) {
	var buf bytes.Buffer
	if err := encodeNoEscape(&buf, body); err != nil {
		// Every value put into an object is a string, bool, number, slice or
		// object, none of which can fail to encode; a failure here is a bug.
		panic(err)
	}
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(buf.Bytes())
	}
}

// writeEmpty answers with a status and no body (202 reply, 204 delete, 200
// forward).
func (c *call) writeEmpty(status int) {
	if status != http.StatusNoContent {
		c.w.Header().Set("Content-Length", "0")
	}
	c.w.WriteHeader(status)
}
