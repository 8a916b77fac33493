package graph

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fuzzStatuses are the answers a fuzzed Graph may give; 429 and 503 are left
// out as they only add waiting.
var fuzzStatuses = []int{200, 201, 204, 400, 401, 403, 404, 405, 500, 502}

// FuzzGraphResponses feeds odd answers (empty bodies, missing ids, unknown
// fields, broken JSON, wrong types) to the create and read paths. Whatever
// Graph says, the client must return an error or a usable result, never
// panic, and never report success without an id.
func FuzzGraphResponses(f *testing.F) {
	f.Add(uint8(1), []byte(`{"id":"AAQkAD=","threads":[{"id":"AAQkAE=="}]}`))
	f.Add(uint8(1), []byte(`{}`))
	f.Add(uint8(1), []byte(``))
	f.Add(uint8(0), []byte(`{"id":null,"topic":5,"uniqueSenders":"x"}`))
	f.Add(uint8(0), []byte(`{"id":"x","unknownField":{"nested":[1,2,3]},"lastDeliveredDateTime":"not a date"}`))
	f.Add(uint8(3), []byte(`{"error":{}}`))
	f.Add(uint8(8), []byte(`{"foo":1}`))
	f.Add(uint8(6), []byte(`{"error":{"code":"ErrorItemNotFound","message":null,"innerError":{"date":"garbage"}}}`))
	f.Fuzz(func(t *testing.T, statusIndex uint8, body []byte) {
		status := fuzzStatuses[int(statusIndex)%len(fuzzStatuses)]
		// An answer that proves nothing makes the create search and send
		// again until its deadline; with the tiny visibility grace below
		// that loop would spin for the whole deadline on every such input.
		// Three sends show the loop; the fourth ends the create's context.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		var creates atomic.Int32
		transport := roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if req.Method == http.MethodPost && creates.Add(1) > 3 {
				cancel()
			}
			h := http.Header{"Content-Type": {"application/json"}}
			return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(string(body))),
				ContentLength: int64(len(body)), Request: req}, nil
		})
		c, err := NewClient(Options{Endpoint: "http://127.0.0.1:1/v1.0", Credential: StaticToken("t"), Transport: transport,
			RetryBaseDelay: time.Millisecond, VisibilityGrace: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		created, err := c.CreateConversation(ctx, "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10", NewConversation{Topic: "t", Body: ItemBody{Content: "x"}})
		if err == nil && created.ID == "" {
			t.Fatalf("create succeeded without an id on %d %q", status, body)
		}
		if err != nil {
			_ = err.Error()
		}
		readCtx, cancelRead := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancelRead()
		got, err := c.GetConversation(readCtx, "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10", "AAQkAD=")
		if err == nil && got.ID == "" {
			t.Fatalf("read succeeded without an id on %d %q", status, body)
		}
		if err != nil {
			_ = err.Error()
		}
	})
}
