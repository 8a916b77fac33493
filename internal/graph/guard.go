package graph

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	khttp "github.com/microsoft/kiota-http-go"
)

// answerGuard is the middleware that decides what may leave and what may be
// used. Every request must go to the configured endpoint's origin, with a
// path free of empty, "." and ".." segments (a front end that resolves dot
// segments would turn DELETE …/conversations/.. into a delete of the group).
// Every answer must be one Graph gives for the call: no redirect, a success
// status Graph uses for the method, JSON when there is a body, and a body
// within the bounds of limits.go. Error bodies are kept only when they are
// JSON, with the bearer token cut out of them and out of every header, so
// that an endpoint echoing the Authorization header cannot put the token
// into Terraform's output.
//
// It sits inside the retry and the mailbox limiter and outside the logging
// middleware, so the log shows every answer as it came, and the retry sees
// failures the guard has classified (see Failure): only those that may
// succeed later are retried.
type answerGuard struct {
	endpoint *url.URL
	origin   origin
}

func newAnswerGuard(endpoint *url.URL) answerGuard {
	return answerGuard{endpoint: endpoint, origin: originOf(endpoint)}
}

func (g answerGuard) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	token := bearerToken(req.Header.Get("Authorization"))
	if err := g.checkRequest(req, token); err != nil {
		return nil, err
	}
	// Asked for explicitly, net/http leaves a gzip body as it came, so that
	// the bytes read from the connection can be bounded too.
	req.Header.Set("Accept-Encoding", "gzip")
	answerRecordFrom(req.Context()).markSent()
	resp, err := pipeline.Next(req, index)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, transportFailure(g.endpoint, err)
	}
	redactHeaders(resp.Header, token)
	requestID := truncateText(resp.Header.Get("request-id"))
	record := answerRecordFrom(req.Context())
	record.begin(resp.StatusCode, requestID)
	answerFailure := func(failure Failure, format string, args ...any) error {
		return &callError{failure: failure, status: resp.StatusCode, requestID: requestID,
			text: redactText(truncateText(fmt.Sprintf(format, args...)), token)}
	}
	badAnswer := func(format string, args ...any) error { return answerFailure(FailureBadAnswer, format, args...) }
	reject := func(err error) (*http.Response, error) {
		_ = resp.Body.Close()
		return nil, err
	}

	if err := checkStatus(req.Method, resp, badAnswer); err != nil {
		return reject(err)
	}
	gzipped := false
	switch encoding := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); encoding {
	case "", "identity":
	case "gzip", "x-gzip":
		gzipped = true
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	default:
		return reject(badAnswer("Graph's answer (HTTP %d) is encoded with %q, which the provider did not ask for", resp.StatusCode, encoding))
	}
	contentType := mediaType(resp.Header.Get("Content-Type"))
	isJSON := contentType == "application/json" || strings.HasSuffix(contentType, "+json")
	resp.Body = &boundedBody{raw: resp.Body, gzip: gzipped, json: isJSON, record: record, fail: func(failure Failure, problem string) error {
		return answerFailure(failure, "Graph's answer (HTTP %d) %s", resp.StatusCode, problem)
	}}

	if resp.StatusCode >= 400 {
		keepErrorBody(resp, isJSON, token)
		return resp, nil
	}
	present, err := bodyPresent(resp)
	if err != nil {
		return reject(err)
	}
	if present && !isJSON {
		return reject(badAnswer("Graph answered HTTP %d with %s, not JSON: something other than Graph answered, "+
			"such as a proxy or a sign-in page", resp.StatusCode, describeContentType(contentType)))
	}
	if req.Method == http.MethodDelete && resp.StatusCode == http.StatusOK && !isJSON {
		return reject(badAnswer("Graph answered a DELETE with HTTP 200 and no JSON; Graph answers a delete with 204, " +
			"so something other than Graph answered and the object may still exist"))
	}
	return resp, nil
}

// checkRequest refuses a request that must not leave: one for another
// origin than the endpoint's, not absolute, not http(s), or with a path
// segment that is empty, "." or "..".
func (g answerGuard) checkRequest(req *http.Request, token string) error {
	u := req.URL
	refuse := func(why string) error {
		return &callError{failure: FailureRefused,
			text: redactText(fmt.Sprintf("refused to send %s %s: %s", req.Method, truncateText(u.Redacted()), why), token)}
	}
	o := originOf(u)
	switch {
	case !u.IsAbs() || u.Host == "":
		return refuse("it is not an absolute URL")
	case !o.valid():
		return refuse("only http and https are used")
	case o != g.origin:
		return refuse(fmt.Sprintf("it is not on the configured endpoint %s; requests, and the token, go to %s only", g.endpoint, g.origin))
	}
	for _, segment := range strings.Split(u.EscapedPath(), "/")[1:] {
		decoded, err := url.PathUnescape(segment)
		if err != nil || decoded == "" || decoded == "." || decoded == ".." {
			return refuse(fmt.Sprintf("the path segment %q is not a name or an id", segment))
		}
	}
	return nil
}

// checkStatus accepts an error status (kiota turns it into an error) or a
// success status Graph gives for the method: GET 200; DELETE 204 or 200;
// PATCH 200 or 204; POST 200, 201, 202 or 204. Anything else, a redirect
// above all, is an answer the provider cannot take as done.
func checkStatus(method string, resp *http.Response, badAnswer func(string, ...any) error) error {
	status := resp.StatusCode
	switch {
	case status >= 400:
		return nil
	case status >= 300 && status < 400:
		location := resp.Header.Get("Location")
		if location == "" {
			location = "nowhere"
		}
		return badAnswer("Graph answered with a redirect (HTTP %d to %s), which it does not do for these calls; "+
			"redirects are not followed, as they could lead the request, or the token, elsewhere", status, location)
	case status < 200:
		return badAnswer("Graph answered HTTP %d, which is not an answer to a %s", status, method)
	}
	ok := false
	switch method {
	case http.MethodGet:
		ok = status == http.StatusOK
	case http.MethodDelete, http.MethodPatch:
		ok = status == http.StatusOK || status == http.StatusNoContent
	case http.MethodPost:
		ok = status == http.StatusOK || status == http.StatusCreated || status == http.StatusAccepted || status == http.StatusNoContent
	default:
		ok = true
	}
	if !ok {
		return badAnswer("Graph answered a %s with HTTP %d, which is not how Graph reports success for it", method, status)
	}
	return nil
}

// keepErrorBody keeps an error answer's body for kiota to read Graph's code
// and message from, with the token cut out. A body that is not JSON (an
// HTML error page) or breaks a bound is dropped: the status remains, and
// kiota reports an error without a body.
func keepErrorBody(resp *http.Response, isJSON bool, token string) {
	drop := func() {
		_ = resp.Body.Close()
		resp.Body = http.NoBody
		resp.ContentLength = 0
		resp.Header.Del("Content-Type")
	}
	if !isJSON {
		drop()
		return
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		drop()
		return
	}
	_ = resp.Body.Close()
	if token != "" {
		if bytes.IndexByte(body, '\\') >= 0 {
			// JSON may spell the token with escapes (\u0065yJ…), which
			// kiota would decode into the message after the cut below.
			if body, err = unescapeJSON(body); err != nil {
				drop()
				return
			}
		}
		body = bytes.ReplaceAll(body, []byte(token), []byte(redacted))
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
}

// unescapeJSON re-encodes a JSON document with no escapes but those JSON
// requires, so that text spelled with \u escapes reads as itself.
func unescapeJSON(body []byte) ([]byte, error) {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var document any
	if err := decoder.Decode(&document); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(document); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), nil
}

// bodyPresent reports whether a success answer carries a body, peeking at
// it when its length is unknown.
func bodyPresent(resp *http.Response) (bool, error) {
	switch {
	case resp.StatusCode == http.StatusNoContent || resp.ContentLength == 0:
		return false, nil
	case resp.ContentLength > 0:
		return true, nil
	}
	peeked := bufio.NewReader(resp.Body)
	_, err := peeked.Peek(1)
	resp.Body = readCloser{Reader: peeked, Closer: resp.Body}
	switch {
	case errors.Is(err, io.EOF):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func mediaType(contentType string) string {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mediaType))
}

func describeContentType(contentType string) string {
	if contentType == "" {
		return "a body of no declared type"
	}
	return truncateText(contentType)
}

// redacted replaces the bearer token wherever an answer repeats it.
const redacted = "[redacted]"

// minRedactedTokenLength is the shortest token cut out of answers. Real
// tokens are hundreds of characters long; cutting out a test's "t" would
// garble every message.
const minRedactedTokenLength = 8

func bearerToken(authorization string) string {
	scheme, token, found := strings.Cut(authorization, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	token = strings.TrimSpace(token)
	if len(token) < minRedactedTokenLength {
		return ""
	}
	return token
}

func redactText(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, redacted)
}

func redactHeaders(h http.Header, token string) {
	if token == "" {
		return
	}
	for name, values := range h {
		for i, v := range values {
			if strings.Contains(v, token) {
				h[name][i] = strings.ReplaceAll(v, token, redacted)
			}
		}
	}
}

// answerRecord is what the guard saw of requests made with a context from
// withAnswerRecord: whether any attempt was let out to the transport, and
// the status, request-id and body size of the last answer. The listing code
// names the request-id of a page whose items it refuses and counts its
// bytes; a create tells "never sent" from "sent, answer unusable" with it
// (kiota reports a success without a usable body without its status).
type answerRecord struct {
	mu        sync.Mutex
	sent      bool
	status    int
	requestID string
	bodyBytes int64
}

type answerRecordKey struct{}

func withAnswerRecord(ctx context.Context) (context.Context, *answerRecord) {
	record := &answerRecord{}
	return context.WithValue(ctx, answerRecordKey{}, record), record
}

func answerRecordFrom(ctx context.Context) *answerRecord {
	record, _ := ctx.Value(answerRecordKey{}).(*answerRecord)
	return record
}

// begin starts recording a new answer; a retried request's last answer is
// the one that counts.
func (r *answerRecord) begin(status int, requestID string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.requestID, r.bodyBytes = status, requestID, 0
}

// markSent records that an attempt was let out to the transport. What an
// earlier attempt was answered is forgotten: a create retried after a 429
// whose second attempt gets no answer at all must not read as refused.
func (r *answerRecord) markSent() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = true
	r.status, r.requestID, r.bodyBytes = 0, "", 0
}

// outcome reports whether any attempt was let out to the transport, and the
// status of the last answer (0 when none came).
func (r *answerRecord) outcome() (sent bool, status int) {
	if r == nil {
		return false, 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent, r.status
}

func (r *answerRecord) addBodyBytes(n int) {
	if r == nil || n == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodyBytes += int64(n)
}

func (r *answerRecord) snapshot() (requestID string, bodyBytes int64) {
	if r == nil {
		return "", 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requestID, r.bodyBytes
}
