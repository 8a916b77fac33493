package main

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// phaseResult is one run of one phase.
type phaseResult struct {
	wall time.Duration
	// counters are the emulator's request counters for the phase alone.
	counters map[string]int
	// peakRSS is the largest VmHWM of the provider processes the CLI
	// started during the phase, in bytes; 0 when none was observed.
	peakRSS int64
	// providers is how many provider processes the CLI started.
	providers int
	// cpuCLI and cpuProvider split the CPU time of the command.
	cpuCLI, cpuProvider time.Duration
	// otherLoad is the CPU the rest of the machine used during the
	// phase, in cores (busy CPU time of the whole machine, minus this
	// command's and the bench process's, over the wall time).
	otherLoad float64
	// graph is what the emulator saw of the phase's requests.
	graph timelineStats
	// err is empty when the command exited as its kind expects.
	err string
}

// timelineStats describe a phase's Graph requests over time.
type timelineStats struct {
	// window runs from the start of the first request to the end of the
	// last one; zero without requests.
	window time.Duration
	// meanInFlight is the served requests' total time over the window:
	// the concurrency Graph actually saw while it was being used.
	meanInFlight float64
	// lead is the time from the command's start to the first request,
	// tail from the last request's end to the command's exit.
	lead, tail time.Duration
	// idle is the time inside the window with no request in flight.
	idle time.Duration
}

// phaseSummary is the medians of a phase's successful runs.
type phaseSummary struct {
	workload  *workload
	phase     phase
	succeeded int
	failed    int
	// measured is how many runs the medians are taken over: the
	// successful ones, or all of them when the workload allows failures.
	measured int
	errors   []string

	wall time.Duration
	// fixed is the median wall time of the same kind of phase with N=0,
	// net = wall − fixed.
	fixed, net time.Duration
	hasFixed   bool
	// requests holds the median of each request kind's counter.
	requests map[string]float64
	// total is the median of all requests, throttled ones included;
	// throttled the median of 429s, served the median of the others.
	total, throttled, served float64
	allowed                  int
	// ideal = served requests × latency ÷ allowed concurrency.
	ideal time.Duration
	ratio float64
	// peakRSS is the largest over the runs.
	peakRSS             int64
	providers           int
	cpuCLI, cpuProvider time.Duration
	otherLoad           float64
	graph               timelineStats
}

// session is everything measured in one bench run.
type session struct {
	cfg       config
	workloads []*workload
	// results[workload id][phase label] holds the runs in order.
	results   map[string]map[string][]phaseResult
	summaries []*phaseSummary
}

func newSession(cfg config, ws []*workload) *session {
	return &session{cfg: cfg, workloads: ws, results: make(map[string]map[string][]phaseResult)}
}

func (s *session) add(w *workload, p phase, r phaseResult) {
	if s.results[w.id] == nil {
		s.results[w.id] = make(map[string][]phaseResult)
	}
	s.results[w.id][p.name()] = append(s.results[w.id][p.name()], r)
}

func (s *session) workload(id string) *workload {
	for _, w := range s.workloads {
		if w.id == id {
			return w
		}
	}
	return nil
}

func (s *session) summary(workloadID, label string) *phaseSummary {
	for _, ps := range s.summaries {
		if ps.workload.id == workloadID && ps.phase.name() == label {
			return ps
		}
	}
	return nil
}

// summarize computes the medians. The fixed workload comes first, since
// every other phase subtracts its cost.
func (s *session) summarize() {
	s.summaries = nil
	fixed := make(map[string]time.Duration)
	for _, w := range s.workloads {
		for _, p := range w.phases {
			runs := s.results[w.id][p.name()]
			if len(runs) == 0 {
				continue
			}
			ps := summarizePhase(w, p, runs, s.cfg)
			if w.fixed && ps.succeeded > 0 {
				fixed[p.kind.name] = ps.wall
			}
			if f, ok := fixed[p.kind.name]; ok {
				ps.fixed, ps.hasFixed = f, true
				ps.net = max(ps.wall-f, 0)
				if ps.ideal > 0 {
					ps.ratio = ps.net.Seconds() / ps.ideal.Seconds()
				}
			}
			s.summaries = append(s.summaries, ps)
		}
	}
}

func summarizePhase(w *workload, p phase, runs []phaseResult, cfg config) *phaseSummary {
	ps := &phaseSummary{workload: w, phase: p, requests: make(map[string]float64), allowed: w.allowedConcurrency(cfg.mailboxLimit)}
	var ok []phaseResult
	for _, r := range runs {
		if r.err != "" {
			ps.failed++
			ps.errors = append(ps.errors, r.err)
		} else {
			ok = append(ok, r)
		}
		ps.peakRSS = max(ps.peakRSS, r.peakRSS)
		ps.providers = max(ps.providers, r.providers)
	}
	ps.succeeded = len(ok)
	if w.allowFailures {
		// The naive baseline's failures are part of what it shows: its
		// times and requests count whether or not the command succeeded.
		ok = runs
	}
	if len(ok) == 0 {
		return ps
	}
	ps.measured = len(ok)
	pick := func(f func(phaseResult) float64) float64 {
		vs := make([]float64, len(ok))
		for i, r := range ok {
			vs[i] = f(r)
		}
		return median(vs)
	}
	dur := func(f func(phaseResult) time.Duration) time.Duration {
		return time.Duration(pick(func(r phaseResult) float64 { return float64(f(r)) }))
	}
	ps.wall = dur(func(r phaseResult) time.Duration { return r.wall })
	for _, kind := range requestKinds(ok) {
		ps.requests[kind] = pick(func(r phaseResult) float64 { return float64(r.counters[kind]) })
	}
	ps.total = pick(func(r phaseResult) float64 { return float64(r.counters["requests.total"]) })
	ps.throttled = pick(func(r phaseResult) float64 { return float64(r.counters["status.429"]) })
	ps.served = pick(func(r phaseResult) float64 { return float64(r.counters["requests.total"] - r.counters["status.429"]) })
	latency := cfg.latency
	if w.latency != nil {
		latency = *w.latency
	}
	ps.ideal = idealTime(ps.served, latency, ps.allowed)
	ps.cpuCLI = dur(func(r phaseResult) time.Duration { return r.cpuCLI })
	ps.cpuProvider = dur(func(r phaseResult) time.Duration { return r.cpuProvider })
	ps.otherLoad = pick(func(r phaseResult) float64 { return r.otherLoad })
	ps.graph = timelineStats{
		window:       dur(func(r phaseResult) time.Duration { return r.graph.window }),
		meanInFlight: pick(func(r phaseResult) float64 { return r.graph.meanInFlight }),
		lead:         dur(func(r phaseResult) time.Duration { return r.graph.lead }),
		tail:         dur(func(r phaseResult) time.Duration { return r.graph.tail }),
		idle:         dur(func(r phaseResult) time.Duration { return r.graph.idle }),
	}
	return ps
}

// idealTime is the physical limit: every request that Graph served takes
// latency, and at most allowed run at once. 429s are not counted, as the
// emulator (like Exchange) refuses them at once, before any work.
func idealTime(served float64, latency time.Duration, allowed int) time.Duration {
	if allowed <= 0 {
		return 0
	}
	return time.Duration(served * float64(latency) / float64(allowed))
}

// requestKinds lists the request kinds counted in any run (conversations.get
// and the like), without the status and total counters.
func requestKinds(runs []phaseResult) []string {
	seen := make(map[string]bool)
	for _, r := range runs {
		for k, v := range r.counters {
			if v > 0 && !strings.HasPrefix(k, "status.") && !strings.HasPrefix(k, "faults.") && k != "requests.total" {
				seen[k] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// median of vs; the mean of the middle two for an even count.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}
