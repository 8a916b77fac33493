package main

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// timeline records when the emulator served each request, through its
// LogRequest hook, so a phase's time can be split into the CLI's own work
// before the first request, the Graph window, and the CLI's work after the
// last request; and so the concurrency Graph actually saw can be compared
// with the allowed one.
type timeline struct {
	mu       sync.Mutex
	requests []request
}

type request struct {
	start, end time.Time
	status     int
}

func (t *timeline) log(_, _ string, status int, elapsed time.Duration) {
	end := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests = append(t.requests, request{start: end.Add(-elapsed), end: end, status: status})
}

func (t *timeline) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests = nil
}

// stats describes the requests recorded since reset, for a command that
// ran from start to end.
func (t *timeline) stats(start, end time.Time) timelineStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return timelineOf(t.requests, start, end)
}

func timelineOf(requests []request, start, end time.Time) timelineStats {
	if len(requests) == 0 {
		return timelineStats{}
	}
	first, last := requests[0].start, requests[0].end
	var busy time.Duration
	for _, r := range requests {
		first = minTime(first, r.start)
		last = maxTime(last, r.end)
		if r.status != http.StatusTooManyRequests {
			busy += r.end.Sub(r.start)
		}
	}
	out := timelineStats{window: last.Sub(first), lead: max(first.Sub(start), 0), tail: max(end.Sub(last), 0),
		idle: idleTime(requests)}
	if out.window > 0 {
		out.meanInFlight = busy.Seconds() / out.window.Seconds()
	}
	return out
}

// idleTime is the time between the first request's start and the last
// one's end during which no request was in flight.
func idleTime(requests []request) time.Duration {
	sorted := slices.SortedFunc(slices.Values(requests), func(a, b request) int { return a.start.Compare(b.start) })
	var idle time.Duration
	reach := sorted[0].end
	for _, r := range sorted[1:] {
		if r.start.After(reach) {
			idle += r.start.Sub(reach)
		}
		reach = maxTime(reach, r.end)
	}
	return idle
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
