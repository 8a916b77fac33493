package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Row 3 of the hostile-server suite: answers that would exhaust memory. A
// 500 MB page and a 9 MB gzip bomb took the provider to 4–4.5 GB. The
// tests below are not parallel, so that the heap they watch is theirs: Go
// runs parallel tests only after every sequential one has returned.

// heapBudget is how far the heap may grow above its level before the call.
// The bounds (limits.go) keep it under 100 MiB: the SDK reads a body whole
// before parsing it, up to maxBodyBytes, and keeps a node per JSON value.
// Without them these answers took 4 GB and more.
const heapBudget = 256 << 20

// heapObjects is the metric sampled: the bytes of heap objects, live or not
// yet swept, which is what the call's reading and parsing allocate.
const heapObjects = "/memory/classes/heap/objects:bytes"

// withinHeapBudget runs call while sampling the heap. Once the heap has
// grown past heapBudget it cancels call's context, so that code without
// bounds fails fast instead of taking the machine's memory, and fails the
// test. It returns call's error.
func withinHeapBudget(t *testing.T, call func(ctx context.Context) error) error {
	t.Helper()
	runtime.GC()
	sample := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(sample)
	baseline := sample[0].Value.Uint64()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: heapObjects}}
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > baseline {
				if grown := v - baseline; grown > peak.Load() {
					peak.Store(grown)
				}
				if v-baseline > heapBudget {
					cancel()
				}
			}
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
		}
	}()
	err := call(ctx)
	close(stop)
	<-sampled
	t.Logf("heap grew by at most %d MiB (budget %d MiB)", peak.Load()>>20, heapBudget>>20)
	if peak.Load() > heapBudget {
		t.Fatalf("the heap grew by %d MiB, more than %d MiB; the call ended with %v", peak.Load()>>20, heapBudget>>20, err)
	}
	return err
}

// streamPage writes a list page of about size bytes of conversations with
// long previews, without holding it in memory. size < 0 never ends.
func streamPage(w http.ResponseWriter, size int64) {
	w.Header().Set("Content-Type", "application/json")
	chunk := []byte(strings.Repeat(`{"id":"AAQkADhostile=","topic":"t","preview":"`+strings.Repeat("p", 4000)+`"},`, 16))
	_, _ = io.WriteString(w, `{"value":[`)
	for written := int64(0); size < 0 || written < size; written += int64(len(chunk)) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
	_, _ = io.WriteString(w, `{"id":"AAQkADlast="}]}`)
}

func TestHostile_Row3_500MBPage(t *testing.T) {
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { streamPage(w, 500<<20) })
	c := hostileClient(t, s.endpoint, nil)
	err := withinHeapBudget(t, func(ctx context.Context) error {
		_, err := c.ListConversations(ctx, hostileGroup)
		return err
	})
	wantFailure(t, err, FailureBadAnswer, "is more than 32 MiB,", "hostile-request-1")
}

func TestHostile_Row3_EndlessBody(t *testing.T) {
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { streamPage(w, -1) })
	c := hostileClient(t, s.endpoint, nil)
	err := withinHeapBudget(t, func(ctx context.Context) error {
		_, err := c.ListConversations(ctx, hostileGroup)
		return err
	})
	wantFailure(t, err, FailureBadAnswer, "is more than 32 MiB,")
}

// gzipMember compresses p into one gzip member; concatenated members are
// one gzip stream.
func gzipMember(t *testing.T, p []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	z, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = z.Write(p)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A 9 MB gzip bomb: valid JSON, a page whose "value" is followed by 9 GiB
// of white space, sent gzip-encoded whether asked for or not.
func TestHostile_Row3_GzipBomb(t *testing.T) {
	head := gzipMember(t, []byte(`{"value":[{"id":"AAQkAD1="}`))
	spaces := gzipMember(t, bytes.Repeat([]byte(" "), 1<<20))
	tail := gzipMember(t, []byte(`]}`))
	const members = 9 * 1024
	if size := len(spaces) * members; size < 8<<20 || size > 10<<20 {
		t.Fatalf("the bomb is %d bytes, not about 9 MB", size)
	}
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(head)
		for range members {
			if _, err := w.Write(spaces); err != nil {
				return
			}
		}
		_, _ = w.Write(tail)
	})
	c := hostileClient(t, s.endpoint, nil)
	err := withinHeapBudget(t, func(ctx context.Context) error {
		_, err := c.ListConversations(ctx, hostileGroup)
		return err
	})
	wantFailure(t, err, FailureBadAnswer, "more than 32 MiB once inflated")
}

// A compressed stream that inflates to nothing and never ends: empty gzip
// members, one after another.
func TestHostile_Row3_EndlessCompressedBody(t *testing.T) {
	empty := bytes.Repeat(gzipMember(t, nil), 4096)
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		for {
			if _, err := w.Write(empty); err != nil {
				return
			}
		}
	})
	c := hostileClient(t, s.endpoint, nil)
	err := withinHeapBudget(t, func(ctx context.Context) error {
		_, err := c.ListConversations(ctx, hostileGroup)
		return err
	})
	wantFailure(t, err, FailureBadAnswer, "more than 32 MiB compressed")
}

// A page within the byte bound whose tiny values would cost the SDK's parser
// half a gigabyte.
func TestHostile_Row3_TooManyValues(t *testing.T) {
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"value":[{"id":"AAQkAD1=","uniqueSenders":[`)
		_, _ = io.WriteString(w, strings.Repeat("0,", 15<<20/2))
		_, _ = io.WriteString(w, `0]}]}`)
	})
	c := hostileClient(t, s.endpoint, nil)
	err := withinHeapBudget(t, func(ctx context.Context) error {
		_, err := c.ListConversations(ctx, hostileGroup)
		return err
	})
	wantFailure(t, err, FailureBadAnswer, "more than 200000 JSON values")
}
