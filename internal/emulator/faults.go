package emulator

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
)

// Faults are the failures real Graph shows under load, injected on purpose so
// clients can prove they survive them. They apply to requests on a group
// mailbox (conversations, threads, posts). Draws come from one RNG seeded with
// Seed, so a run with the same seed and the same request order injects the
// same faults.
type Faults struct {
	Seed int64
	// Statuses are answered instead of handling a request; one is drawn per
	// injected fault. Graph's transient answers are 429, 503 and 504.
	Statuses []int
	// Every injects a status fault into every Nth mailbox request (0: off).
	Every int
	// Rate injects a status fault into this fraction of mailbox requests.
	Rate float64
	// RetryAfterSeconds is the Retry-After of injected faults; negative
	// sends none, so clients must back off on their own.
	RetryAfterSeconds int
	// DropAfterCreateEvery and DropAfterCreateRate pick creates
	// (conversations and threads) that are applied and then answered by
	// closing the connection: the object exists but the client never hears
	// of it. This is the ambiguous failure that tempts clients into
	// duplicates.
	DropAfterCreateEvery int
	DropAfterCreateRate  float64
}

// faultInjector draws faults. The zero value injects nothing.
type faultInjector struct {
	mu      sync.Mutex
	faults  Faults
	rng     *rand.Rand
	seen    int
	creates int
}

// statusFault returns the error to answer instead of handling the request,
// or nil.
func (fi *faultInjector) statusFault() *apiError {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.faults
	if len(f.Statuses) == 0 || (f.Every <= 0 && f.Rate <= 0) {
		return nil
	}
	fi.seen++
	hit := (f.Every > 0 && fi.seen%f.Every == 0) || (f.Rate > 0 && fi.rng.Float64() < f.Rate)
	if !hit {
		return nil
	}
	status := f.Statuses[fi.rng.IntN(len(f.Statuses))]
	e := injectedError(status)
	if f.RetryAfterSeconds >= 0 {
		e.header = map[string]string{"Retry-After": strconv.Itoa(f.RetryAfterSeconds)}
	}
	return e
}

// dropAfterCreate reports whether this create's answer is to be lost.
func (fi *faultInjector) dropAfterCreate() bool {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.faults
	if f.DropAfterCreateEvery <= 0 && f.DropAfterCreateRate <= 0 {
		return false
	}
	fi.creates++
	return (f.DropAfterCreateEvery > 0 && fi.creates%f.DropAfterCreateEvery == 0) ||
		(f.DropAfterCreateRate > 0 && fi.rng.Float64() < f.DropAfterCreateRate)
}

// injectedError words each transient status the way Graph does.
func injectedError(status int) *apiError {
	switch status {
	case http.StatusTooManyRequests:
		return newAPIError(status, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
	case http.StatusServiceUnavailable:
		return newAPIError(status, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.")
	case http.StatusGatewayTimeout:
		return newAPIError(status, "GatewayTimeout", "The gateway did not receive a response in time.")
	default:
		return newAPIError(status, "InjectedFault", "Fault injected by the emulator.")
	}
}

// discardWriter stands in for the client's connection while a create whose
// answer will be lost runs: the store changes, the answer goes nowhere.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
