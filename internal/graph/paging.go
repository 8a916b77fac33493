package graph

import (
	"context"
	"sync/atomic"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// collectPages walks a Graph list to its end: it converts every item of
// firstPage, then follows @odata.nextLink verbatim, as Graph asks clients to
// (never building the next URL itself), until a page comes without one.
// attempts is the counter carried by ctx, so an error on any page reports
// how many requests the whole listing took.
func collectPages[M, T any](ctx context.Context, c *Client, operation string, attempts *atomic.Int32,
	firstPage serialization.Parsable, newPage serialization.ParsableFactory, convert func(M) T) ([]T, error) {
	iterator, err := msgraphcore.NewPageIterator[M](firstPage, c.adapter, newPage)
	if err != nil {
		return nil, &Error{Operation: operation, Attempts: int(attempts.Load()), Err: err}
	}
	var out []T
	if err := iterator.Iterate(ctx, func(item M) bool {
		// A null element of "value" carries nothing to convert.
		if any(item) != nil {
			out = append(out, convert(item))
		}
		return true
	}); err != nil {
		return nil, newError(operation, int(attempts.Load()), err)
	}
	return out, nil
}
