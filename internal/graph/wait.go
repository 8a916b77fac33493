package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// waitUntilReadable calls read until the object it reads exists. Exchange
// can answer 404 for a few seconds after a create (microsoft-graph-docs#92),
// so a 404 here means "not yet": read is retried with jittered,
// doubling delays until ctx's deadline. Any other answer, success or error,
// ends the wait at once. what names the object in the error of a wait that
// gave up, e.g. "thread".
func waitUntilReadable[T any](ctx context.Context, c *Client, what string, read func(context.Context) (T, error)) (T, error) {
	var zero T
	delay := c.retryBaseDelay / 4
	for attempt := 1; ; attempt++ {
		value, err := read(ctx)
		if err == nil || !IsNotFound(err) {
			return value, err
		}
		var ge *Error
		if !errors.As(err, &ge) {
			return zero, err
		}
		sleep := delay/2 + rand.N(delay/2+1)
		if !fitsDeadline(ctx, sleep) {
			ge.Operation = fmt.Sprintf("wait for new %s to become readable (%d reads)", what, attempt)
			return zero, ge
		}
		timer := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			timer.Stop()
			return zero, ge
		case <-timer.C:
		}
		delay = min(delay*2, 8*c.retryBaseDelay)
	}
}

// sleepContext waits for d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// fitsDeadline reports whether a wait of delay ends before ctx's deadline:
// a wait that would outlive the operation is not started.
func fitsDeadline(ctx context.Context, delay time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > delay
}
