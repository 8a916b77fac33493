package graph

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	khttp "github.com/microsoft/kiota-http-go"
)

// mailboxLimiter keeps at most limit requests in flight per group mailbox.
// Exchange allows 4 concurrent requests per app and mailbox and answers the
// fifth with 429; queueing here instead means terraform apply -parallelism=10
// on one group causes no throttling at all. It sits inside the retry
// middleware, so a request waiting out a Retry-After holds no slot.
//
// Waiting requests get slots in arrival order, except that those marked with
// withMailboxPriority (listings shared by many reads) go first.
type mailboxLimiter struct {
	limit int
	mu    sync.Mutex
	boxes map[string]*mailbox
}

// mailbox is one group's slots: how many requests are in flight, and who
// waits for a slot, urgent ones first. A waiter's channel is closed when
// a slot is handed to it.
type mailbox struct {
	inFlight int
	waiting  [2][]chan struct{} // [urgent, normal]
}

type mailboxPriorityKey struct{}

// withMailboxPriority marks the requests made with ctx as going ahead of
// the other requests waiting for their group's mailbox.
func withMailboxPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, mailboxPriorityKey{}, true)
}

func newMailboxLimiter(limit int) *mailboxLimiter {
	return &mailboxLimiter{limit: limit, boxes: make(map[string]*mailbox)}
}

func (l *mailboxLimiter) Intercept(pipeline khttp.Pipeline, index int, req *http.Request) (*http.Response, error) {
	group, ok := mailboxOf(req.URL.Path)
	if !ok || l.limit <= 0 {
		return pipeline.Next(req, index)
	}
	ctx := req.Context()
	start := time.Now()
	urgent, _ := ctx.Value(mailboxPriorityKey{}).(bool)
	if err := l.acquire(ctx, group, urgent); err != nil {
		return nil, err
	}
	if waited := time.Since(start); waited > 50*time.Millisecond {
		tflog.Trace(ctx, "Waited for a group mailbox slot", map[string]any{
			"group_id": group, "waited_ms": waited.Milliseconds(), "limit": l.limit,
		})
	}
	var once sync.Once
	release := func() { once.Do(func() { l.release(group) }) }
	resp, err := pipeline.Next(req, index)
	if err != nil || resp == nil {
		release()
		return resp, err
	}
	// The slot is held until the answer has been read, as Exchange counts a
	// request in flight until it has answered.
	resp.Body = &onCloseBody{ReadCloser: resp.Body, onClose: release}
	return resp, nil
}

// acquire takes one of group's slots, waiting in line when all are taken.
func (l *mailboxLimiter) acquire(ctx context.Context, group string, urgent bool) error {
	l.mu.Lock()
	box := l.boxes[group]
	if box == nil {
		box = &mailbox{}
		l.boxes[group] = box
	}
	if box.inFlight < l.limit && len(box.waiting[0])+len(box.waiting[1]) == 0 {
		box.inFlight++
		l.mu.Unlock()
		return nil
	}
	lane := 1
	if urgent {
		lane = 0
	}
	granted := make(chan struct{})
	box.waiting[lane] = append(box.waiting[lane], granted)
	l.mu.Unlock()

	select {
	case <-granted:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		if i := slices.Index(box.waiting[lane], granted); i >= 0 {
			box.waiting[lane] = slices.Delete(box.waiting[lane], i, i+1)
			return ctx.Err()
		}
		// The slot was handed over as the context ended: pass it on.
		l.handOver(box)
		return ctx.Err()
	}
}

// busy reports whether a request for group would have to wait for a slot.
// Without a limit nothing queues here, yet Exchange's own limit may well be
// reached: busy then reports true, so that reads after creates go on sharing
// listings.
func (l *mailboxLimiter) busy(group string) bool {
	if l.limit <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	box := l.boxes[strings.ToLower(group)]
	return box != nil && box.inFlight >= l.limit
}

// release frees one of group's slots, handing it to the next waiter.
func (l *mailboxLimiter) release(group string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handOver(l.boxes[group])
}

// handOver gives a slot that is being freed to the first waiter, urgent
// ones first, or returns it to the mailbox. l.mu must be held.
func (l *mailboxLimiter) handOver(box *mailbox) {
	for lane := range box.waiting {
		if len(box.waiting[lane]) > 0 {
			next := box.waiting[lane][0]
			box.waiting[lane] = box.waiting[lane][1:]
			close(next)
			return
		}
	}
	box.inFlight--
}

// mailboxOf returns the group of a request that Exchange serves from the
// group's mailbox: /…/groups/{id}/<anything>. A request for the group
// object itself is a directory request, not limited per mailbox.
func mailboxOf(path string) (string, bool) {
	segments := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+2 < len(segments); i++ {
		if strings.EqualFold(segments[i], "groups") {
			return strings.ToLower(segments[i+1]), true
		}
	}
	return "", false
}
