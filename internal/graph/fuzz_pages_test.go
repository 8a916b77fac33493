package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// fuzzEndpoint is the endpoint of the fuzzed client; nextLinks on its
// origin are followed, any other is refused.
const fuzzEndpoint = "http://127.0.0.1:1/v1.0"

type fuzzPagesKey struct{}

// fuzzPages is what the fuzzed Graph answers one listing: first to its
// first request, next to every later one.
type fuzzPages struct {
	first, next []byte
	sent        atomic.Int32
}

// FuzzListPages feeds arbitrary pages (nulls, wrong types, huge strings,
// odd nextLinks, broken JSON) to the listing code, through the client's
// whole stack: whatever the pages say, a listing must fail with a
// *graph.Error or return objects whose ids are usable (not empty, "." or
// "..") and distinct, and never panic.
func FuzzListPages(f *testing.F) {
	f.Add([]byte(`{"value":[{"id":"AAQkAD1="},{"id":"AAQkAD2="}],"@odata.nextLink":"http://127.0.0.1:1/v1.0/groups/g/conversations?$skip=2"}`),
		[]byte(`{"value":[{"id":"AAQkAD3="}]}`), uint8(0))
	f.Add([]byte(`{"value":[null]}`), []byte(``), uint8(1))
	f.Add([]byte(`{"value":[{"id":".."},{"id":"."},{"id":""},{"id":null},{"id":5},1,"x",[],{}]}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":[{"id":"a"},{"id":"a"}],"@odata.nextLink":"http://127.0.0.1:1/v1.0/x"}`),
		[]byte(`{"value":[{"id":"a"},{"id":"b"}],"@odata.nextLink":"http://127.0.0.1:1/v1.0/x"}`), uint8(2))
	f.Add([]byte(`{"value":[],"@odata.nextLink":"/v1.0/groups/g/conversations?$skip=1"}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":[],"@odata.nextLink":"file:///etc/passwd"}`), []byte(``), uint8(1))
	f.Add([]byte(`{"value":[],"@odata.nextLink":"http://127.0.0.1:2/v1.0/x"}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":[],"@odata.nextLink":"https://127.0.0.1:1/v1.0/x"}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":[],"@odata.nextLink":5}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":{"id":"a"}}`), []byte(``), uint8(2))
	f.Add([]byte(`{"value":[{"id":"a","topic":5,"uniqueSenders":"x","lastDeliveredDateTime":"not a date"}]}`), []byte(``), uint8(0))
	f.Add([]byte(`{"value":[{"id":"a","body":{"contentType":"video","content":7},"from":[],"newParticipants":[null]}]}`), []byte(``), uint8(1))
	f.Add([]byte(`{"value":[{"id":"`+string(bytes.Repeat([]byte("A"), 4<<10))+`"}]}`), []byte(``), uint8(0))
	f.Add([]byte(`[[[[[[[[[[`), []byte(``), uint8(0))
	f.Add([]byte(``), []byte(``), uint8(0))

	client, err := NewClient(Options{Endpoint: fuzzEndpoint, Credential: StaticToken("fuzz-token"),
		RetryBaseDelay: time.Millisecond, VisibilityGrace: time.Millisecond,
		Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			pages := req.Context().Value(fuzzPagesKey{}).(*fuzzPages)
			body := pages.next
			if pages.sent.Add(1) == 1 {
				body = pages.first
			}
			h := http.Header{"Content-Type": {"application/json"}, "Request-Id": {"fuzz-request"}}
			return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(bytes.NewReader(body)),
				ContentLength: int64(len(body)), Request: req}, nil
		})})
	if err != nil {
		f.Fatal(err)
	}
	lists := []func(ctx context.Context) ([]string, error){
		func(ctx context.Context) ([]string, error) {
			got, err := client.ListConversations(ctx, "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10")
			return idsOf(got, func(c Conversation) string { return c.ID }), err
		},
		func(ctx context.Context) ([]string, error) {
			got, err := client.ListThreadPosts(ctx, "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10", "AAQkAD=", "AAQkAE=")
			return idsOf(got.Posts, func(p Post) string { return p.ID }), err
		},
		func(ctx context.Context) ([]string, error) {
			got, err := client.FindGroups(ctx, GroupDisplayName, "Marketing")
			return idsOf(got, func(g Group) string { return g.ID }), err
		},
	}

	f.Fuzz(func(t *testing.T, first, next []byte, which uint8) {
		pages := &fuzzPages{first: first, next: next}
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), fuzzPagesKey{}, pages), 10*time.Second)
		defer cancel()
		ids, err := lists[int(which)%len(lists)](ctx)
		if err != nil {
			var ge *Error
			if !errors.As(err, &ge) {
				t.Fatalf("a listing failed with %T, not a *graph.Error: %v", err, err)
			}
			_ = err.Error()
			return
		}
		seen := make(map[string]bool, len(ids))
		for _, id := range ids {
			if checkID(id) != nil || seen[id] {
				t.Fatalf("a listing succeeded with the id %q (ids %q) from pages %q and %q", id, ids, first, next)
			}
			seen[id] = true
		}
		if n := pages.sent.Load(); n > 3 {
			t.Fatalf("%d pages were requested; the second page's nextLink repeats, so at most 3 may be", n)
		}
	})
}

func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, item := range items {
		out = append(out, id(item))
	}
	return out
}
