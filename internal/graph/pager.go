package graph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// odataErrorMapping is what every generated request builder passes to the
// adapter: any error status is parsed as Graph's error envelope.
var odataErrorMapping = abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// collectionPage is a page of a Graph list as msgraph-sdk-go parses it, such
// as models.ConversationCollectionResponseable.
type collectionPage[M any] interface {
	GetValue() []M
	GetOdataNextLink() *string
}

// listedObject is an item of a Graph list: every one is an entity with an id.
type listedObject interface {
	GetId() *string
}

// listAll sends first, the request for a list's first page, and follows
// @odata.nextLink to the end (see pager), returning every item.
func listAll[M listedObject, T any](ctx context.Context, c *Client, operation string, attempts *atomic.Int32,
	first *abs.RequestInformation, newPage absser.ParsableFactory, convert func(M) T) ([]T, error) {
	p := newPager(c, operation, attempts, first, newPage, convert)
	var out []T
	for {
		items, more, err := p.next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if !more {
			return out, nil
		}
	}
}

// pager reads a Graph list page by page: it sends the request for the first
// page, then follows @odata.nextLink verbatim, as Graph asks clients to
// (never building the next URL itself), until a page comes without one.
// Every page goes through the client's adapter and middleware, so retries,
// the mailbox limiter, logging and the token policy apply to each; headers
// of the first request that apply per request (Prefer) are sent with every
// page.
//
// It replaces msgraph-sdk-go-core's PageIterator, which panics on a null
// item and follows any link for as long as one comes. Here every answer is
// checked before it is used: each item must be an object with an id that is
// not empty, "." or ".." (the id goes into URLs), else the listing fails
// naming the page's request-id; an id listed twice (Exchange pages with
// $skip, so an item can shift into the next page) is kept once and counted
// (duplicates); a nextLink must be an absolute URL on the endpoint's origin;
// a nextLink seen before ends the listing with an error instead of looping;
// and a listing stops at maxPagesPerListing pages and maxListingBytes bytes.
// attempts is the counter carried by ctx, so an error on any page reports
// how many requests the whole listing took.
type pager[M listedObject, T any] struct {
	c         *Client
	operation string
	attempts  *atomic.Int32
	newPage   absser.ParsableFactory
	convert   func(M) T
	// request is the next page's request, nil once the last page was read.
	request *abs.RequestInformation
	// prefer is the first request's Prefer header, repeated on every page.
	prefer    []string
	ids       map[string]bool
	followed  map[string]bool
	bytesRead int64
	pages     int
	// duplicates counts the items dropped because an earlier page listed
	// them: on a list paged with $skip, the sign that it shifted.
	duplicates int
	// received counts every item the pages held, duplicates included.
	received int
}

func newPager[M listedObject, T any](c *Client, operation string, attempts *atomic.Int32,
	first *abs.RequestInformation, newPage absser.ParsableFactory, convert func(M) T) *pager[M, T] {
	return &pager[M, T]{
		c: c, operation: operation, attempts: attempts, newPage: newPage, convert: convert,
		request: first, prefer: first.Headers.Get("Prefer"),
		ids: make(map[string]bool), followed: make(map[string]bool),
	}
}

// next reads the next page and returns its items, those listed before left
// out; more reports whether another page follows.
func (p *pager[M, T]) next(ctx context.Context) (items []T, more bool, err error) {
	if p.request == nil {
		return nil, false, nil
	}
	p.pages++
	pageNumber := p.pages
	request := p.request
	p.request = nil
	// Every page counts towards the listing's attempts, whatever context
	// the caller reads it with.
	ctx = context.WithValue(ctx, attemptCounterKey{}, p.attempts)
	pageCtx, answer := withAnswerRecord(ctx)
	parsed, err := p.c.adapter.Send(pageCtx, request, p.newPage, odataErrorMapping)
	if err != nil {
		return nil, false, newAnswerError(p.operation, int(p.attempts.Load()), err, answer)
	}
	if u, err := request.GetUri(); err == nil {
		// A link back to this very page is a loop too.
		p.followed[u.String()] = true
	}
	requestID, pageBytes := answer.snapshot()
	bad := func(format string, args ...any) error {
		return &Error{Operation: p.operation, Failure: FailureBadAnswer, StatusCode: 200, RequestID: requestID,
			Attempts: max(int(p.attempts.Load()), 1), Err: fmt.Errorf(format, args...)}
	}
	page, ok := parsed.(collectionPage[M])
	if !ok || isNil(parsed) {
		return nil, false, bad("page %d of the list is not a collection of objects", pageNumber)
	}
	p.bytesRead += pageBytes
	if p.bytesRead > maxListingBytes {
		return nil, false, bad("the list's pages hold more than %d MiB after %d pages, more than the provider accepts", maxListingBytes>>20, pageNumber)
	}
	p.received += len(page.GetValue())
	for i, item := range page.GetValue() {
		if isNil(item) {
			return nil, false, bad("item %d of page %d of the list is null, not an object", i, pageNumber)
		}
		id := deref(item.GetId())
		if err := checkID(id); err != nil {
			return nil, false, bad("item %d of page %d of the list %s", i, pageNumber, err)
		}
		if p.ids[id] {
			p.duplicates++
			tflog.Debug(ctx, "Dropped an item listed twice", map[string]any{"operation": p.operation, "id": id, "page": pageNumber})
			continue
		}
		p.ids[id] = true
		items = append(items, p.convert(item))
	}

	raw := deref(page.GetOdataNextLink())
	if raw == "" {
		return items, false, nil
	}
	link := truncateText(p.c.tokens.redact(raw))
	next, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, false, bad("the @odata.nextLink of page %d is not a URL: %s", pageNumber, link)
	case !next.IsAbs() || next.Host == "":
		return nil, false, bad("the @odata.nextLink of page %d is not an absolute URL: %s", pageNumber, link)
	case originOf(next) != p.c.origin:
		return nil, false, bad("the @odata.nextLink of page %d leads away from the endpoint %s: %s", pageNumber, p.c.endpoint, link)
	case p.followed[next.String()]:
		return nil, false, bad("the @odata.nextLink of page %d leads back to a page already listed: %s", pageNumber, link)
	case pageNumber >= maxPagesPerListing:
		return nil, false, bad("the list goes on past %d pages, more than the provider follows", maxPagesPerListing)
	}
	p.followed[next.String()] = true
	p.request = abs.NewRequestInformation()
	p.request.Method = abs.GET
	p.request.SetUri(*next)
	p.request.Headers.TryAdd("Accept", "application/json")
	for _, v := range p.prefer {
		p.request.Headers.Add("Prefer", v)
	}
	return items, true, nil
}

// checkID refuses an id Graph cannot have given: empty, or "." or "..",
// which a URL path would resolve to the parent collection or beyond.
func checkID(id string) error {
	switch id {
	case "":
		return fmt.Errorf("has no id")
	case ".", "..":
		return fmt.Errorf("has the id %q, which is not an id", id)
	}
	return nil
}

// isNil reports a nil interface or a nil pointer inside one.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// checkReadBack checks that a GET of one object answered with that object:
// an answer without an id, or with another object's, is not used, whatever
// sent it. foldCase compares ids ignoring case, as the directory does for
// group ids; Exchange ids are compared exactly.
func checkReadBack(operation, what, askedID string, got listedObject, answer *answerRecord, attempts *atomic.Int32, foldCase bool) error {
	requestID, _ := answer.snapshot()
	fail := func(format string, args ...any) error {
		return &Error{Operation: operation, Failure: FailureBadAnswer, StatusCode: 200, RequestID: requestID,
			Attempts: max(int(attempts.Load()), 1), Err: fmt.Errorf(format, args...)}
	}
	if isNil(got) {
		return fail("Graph answered without a %s", what)
	}
	id := deref(got.GetId())
	switch {
	case id == "":
		return fail("Graph answered without a %s id", what)
	case id == askedID, foldCase && strings.EqualFold(id, askedID):
		return nil
	}
	return fail("Graph answered with %s %q when asked for %q", what, truncateText(id), askedID)
}

// newAnswerError is newError for a call whose answer was recorded: an
// error that came with a success status is an answer msgraph-sdk-go could
// not parse (wrong types, a collection where an object belongs), which
// Graph does not send.
func newAnswerError(operation string, attempts int, err error, answer *answerRecord) error {
	converted := newError(operation, attempts, err)
	var ge *Error
	if !errors.As(converted, &ge) || ge.Failure != "" || ge.StatusCode != 0 || answer == nil {
		return converted
	}
	answer.mu.Lock()
	status, requestID := answer.status, answer.requestID
	answer.mu.Unlock()
	if status < 200 || status > 299 {
		return converted
	}
	ge.Failure, ge.StatusCode, ge.RequestID = FailureBadAnswer, status, requestID
	ge.Err = fmt.Errorf("could not read Graph's answer: %w", ge.Err)
	return ge
}
