package graph

import (
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The bounds on what an answer may cost. Graph's own answers stay far below
// each; they exist so that a broken or hostile endpoint (a proxy, an
// emulator, anything answering in Graph's place) costs a bounded amount of
// memory and time, and fails with a clear error instead of exhausting the
// machine. DESIGN.md lists them.
const (
	// maxBodyBytes bounds one answer's body once inflated. A page of 1000
	// conversations is about 1 MB; a page of 100 posts with long HTML bodies
	// (mail quoting the thread before it) can be a few MB.
	maxBodyBytes = 32 << 20
	// maxCompressedBodyBytes bounds the bytes read from the connection for
	// one body. gzip never makes Graph's JSON larger, so the inflated bound
	// would do for real answers; this one ends a compressed stream that
	// inflates to little or nothing yet never ends.
	maxCompressedBodyBytes = 32 << 20
	// maxJSONValues bounds the JSON values in one body. The SDK's parser
	// keeps a node of about a hundred bytes per value (a 16 MiB page of tiny
	// values costs it 0.5 GB), so bytes alone do not bound its memory. A
	// page of 1000 conversations holds about 12,000 values.
	maxJSONValues = 200_000
	// maxPagesPerListing bounds the pages one listing follows: at least
	// 100,000 objects at the smallest page size seen from Exchange (10).
	maxPagesPerListing = 10_000
	// maxListingBytes bounds the inflated bytes of all pages of one listing,
	// which is about what the listed objects hold in memory.
	maxListingBytes = 256 << 20
	// maxGraphTextBytes bounds each text from Graph (an error's message and
	// code, a request-id, a link) that reaches an error or a diagnostic.
	maxGraphTextBytes = 4 << 10
)

// truncateText cuts s to at most maxGraphTextBytes, on a rune boundary, and
// says how long it was.
func truncateText(s string) string {
	if len(s) <= maxGraphTextBytes {
		return s
	}
	cut := maxGraphTextBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (cut to %d of %d bytes)", s[:cut], cut, len(s))
}

// boundedBody is an answer's body read through its bounds: at most
// maxCompressedBodyBytes from the connection, inflated when gzip-encoded, at
// most maxBodyBytes once inflated, and, for JSON, at most maxJSONValues
// values. A bound that is crossed, a gzip stream that cannot be inflated and
// a connection that breaks mid-body fail the read with a *callError; the
// bytes read so far are counted in the answer's record.
type boundedBody struct {
	raw io.ReadCloser
	// reader is the chain the bytes come through; built on the first Read,
	// so that an empty gzip body is not an error.
	reader io.Reader
	gzip   bool
	json   bool
	// fail builds the error of a body that cannot be used; problem
	// completes "Graph's answer (HTTP 200) …".
	fail   func(failure Failure, problem string) error
	record *answerRecord
	err    error
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.reader == nil {
		if err := b.build(); err != nil {
			b.err = err
			return 0, err
		}
	}
	n, err := b.reader.Read(p)
	if b.record != nil {
		b.record.addBodyBytes(n)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		b.err = b.classify(err)
		return n, b.err
	}
	return n, err
}

// classify says what a failed read means: a crossed bound has said so
// already; a gzip stream that does not inflate is a bad answer; anything
// else broke the connection before the answer was whole.
func (b *boundedBody) classify(err error) error {
	var ce *callError
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return b.fail(FailureBadAnswer, fmt.Sprintf("is gzip-encoded but cannot be inflated (%v)", err))
	}
	return b.fail(FailureNoAnswer, fmt.Sprintf("broke off before its end (%v)", err))
}

func (b *boundedBody) build() error {
	exceeded := func(what string) func() error {
		return func() error { return b.fail(FailureBadAnswer, "is "+what+", more than the provider accepts") }
	}
	var r io.Reader = b.raw
	inflatedLimit := fmt.Sprintf("more than %d MiB", maxBodyBytes>>20)
	if b.gzip {
		compressed := &limitReader{r: r, limit: maxCompressedBodyBytes,
			exceeded: exceeded(fmt.Sprintf("more than %d MiB compressed", maxCompressedBodyBytes>>20))}
		inflated, err := gzip.NewReader(compressed)
		switch {
		case errors.Is(err, io.EOF):
			b.reader = eofReader{}
			return nil
		case err != nil:
			return b.classify(err)
		}
		r = inflated
		inflatedLimit += " once inflated"
	}
	r = &limitReader{r: r, limit: maxBodyBytes, exceeded: exceeded(inflatedLimit)}
	if b.json {
		r = &jsonValueCounter{r: r, limit: maxJSONValues, exceeded: exceeded(fmt.Sprintf("more than %d JSON values", maxJSONValues))}
	}
	b.reader = r
	return nil
}

func (b *boundedBody) Close() error { return b.raw.Close() }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// limitReader fails with exceeded() once more than limit bytes come
// through. Unlike io.LimitReader it does not end quietly: a cut body must
// never be taken for a whole one.
type limitReader struct {
	r        io.Reader
	n, limit int64
	exceeded func() error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, l.exceeded()
	}
	// Read at most one byte past the limit: enough to know it was crossed.
	if room := l.limit - l.n + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.limit {
		return 0, l.exceeded()
	}
	return n, err
}

// jsonValueCounter counts, as the bytes go by, an upper bound of the JSON
// values they hold: one for the first value, and one more for each "{",
// "[" and "," outside strings. It fails with exceeded() past limit. It does
// not validate the JSON; the parser does that.
type jsonValueCounter struct {
	r                 io.Reader
	values, limit     int64
	inString, escaped bool
	exceeded          func() error
}

func (c *jsonValueCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.values == 0 && n > 0 {
		c.values = 1
	}
	for _, b := range p[:n] {
		switch {
		case c.escaped:
			c.escaped = false
		case c.inString && b == '\\':
			c.escaped = true
		case b == '"':
			c.inString = !c.inString
		case c.inString:
		case b == '{', b == '[', b == ',':
			c.values++
		}
	}
	if c.values > c.limit {
		return 0, c.exceeded()
	}
	return n, err
}
