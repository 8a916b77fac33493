package graph

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitUntil polls cond, failing the test after a few seconds.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waiters counts the requests waiting for a slot of the test's group "g".
func (l *mailboxLimiter) waiters() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	box := l.boxes["g"]
	if box == nil {
		return 0
	}
	return len(box.waiting[0]) + len(box.waiting[1])
}

// Waiters get the slot in arrival order, urgent ones (listings shared by
// many reads) before the rest.
func TestMailboxLimiterServesUrgentWaitersFirst(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	ctx := context.Background()
	if err := l.acquire(ctx, "g", false); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	queue := func(name string, urgent bool) {
		n := l.waiters()
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.acquire(ctx, "g", urgent); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			l.release("g")
		}()
		waitUntil(t, name+" to queue", func() bool { return l.waiters() == n+1 })
	}
	queue("create 1", false)
	queue("create 2", false)
	queue("listing 1", true)
	queue("create 3", false)
	queue("listing 2", true)
	l.release("g")
	wg.Wait()
	want := []string{"listing 1", "listing 2", "create 1", "create 2", "create 3"}
	if !slices.Equal(order, want) {
		t.Fatalf("slots went to %v, want %v", order, want)
	}
	if err := l.acquire(ctx, "g", false); err != nil || l.waiters() != 0 {
		t.Fatalf("the slot did not come back once everyone was done: %v", err)
	}
}

// A waiter whose context ends leaves the line, and a slot handed to it as
// its context ended goes to the next waiter instead of being lost.
func TestMailboxLimiterWaiterGivesUp(t *testing.T) {
	t.Parallel()
	l := newMailboxLimiter(1)
	if err := l.acquire(context.Background(), "g", false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- l.acquire(ctx, "g", false) }()
	waitUntil(t, "the waiter to queue", func() bool { return l.waiters() == 1 })
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire = %v, want context.Canceled", err)
	}
	if l.waiters() != 0 {
		t.Fatal("a waiter that gave up is still in line")
	}
	l.release("g")
	short, cancelShort := context.WithTimeout(context.Background(), time.Second)
	defer cancelShort()
	if err := l.acquire(short, "g", false); err != nil {
		t.Fatalf("the slot was lost: %v", err)
	}

	// The slot is handed over and the context ends together: whichever
	// wins, one slot stays usable.
	for range 50 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- l.acquire(ctx, "g", true) }()
		waitUntil(t, "the waiter to queue", func() bool { return l.waiters() == 1 })
		go cancel()
		l.release("g")
		if err := <-done; err == nil {
			l.release("g")
		}
		next, cancelNext := context.WithTimeout(context.Background(), time.Second)
		if err := l.acquire(next, "g", false); err != nil {
			t.Fatalf("the slot was lost when it was handed over as the waiter gave up: %v", err)
		}
		cancelNext()
	}
}
