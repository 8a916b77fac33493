package main

import (
	"fmt"
	"strings"
)

// check is one target, evaluated on the summaries of a session.
type check struct {
	// workload is the workload the check reads; checks of workloads that
	// were not run (-only) are dropped.
	workload string
	name     string
	target   string
	eval     func(s *session) (measured string, pass bool)
}

// of names the issue that set the target.
func (c check) of(issue int) check {
	c.name += fmt.Sprintf(" (issue %d)", issue)
	return c
}

// checkResult is a check's outcome for the report.
type checkResult struct {
	name, target, measured string
	pass                   bool
}

func evaluate(s *session, checks []check) []checkResult {
	out := make([]checkResult, 0, len(checks))
	for _, c := range checks {
		measured, pass := c.eval(s)
		out = append(out, checkResult{name: c.name, target: c.target, measured: measured, pass: pass})
	}
	return out
}

// measuredPhase finds a phase's summary with at least one successful run.
func measuredPhase(s *session, workloadID, label string) (*phaseSummary, string) {
	ps := s.summary(workloadID, label)
	switch {
	case ps == nil:
		return nil, "not measured"
	case ps.succeeded == 0:
		return nil, fmt.Sprintf("no successful run (%d failed)", ps.failed)
	}
	return ps, ""
}

// requestsPerConversation: Graph requests of every kind, 429s included,
// per conversation the phase handles.
func requestsPerConversation(workloadID, label string, limit float64) check {
	// A label names its kind first: "refresh", "refresh, page cap 100".
	verb := label
	kind, _, _ := strings.Cut(label, ",")
	if k, ok := kindsByName[kind]; ok {
		verb = k.verb
	}
	return check{
		workload: workloadID,
		name:     fmt.Sprintf("%s %s: Graph requests per %s conversation", workloadID, label, verb),
		target:   "≤ " + formatFloat(limit),
		eval: func(s *session) (string, bool) {
			ps, why := measuredPhase(s, workloadID, label)
			if ps == nil {
				return why, false
			}
			if ps.workload.n == 0 {
				return "no conversations", false
			}
			per := ps.total / float64(ps.workload.n)
			return fmt.Sprintf("%.2f (%s requests / %d)", per, formatFloat(ps.total), ps.workload.n), per <= limit
		},
	}
}

// noThrottling: no 429 in any phase of the workload, in any run.
func noThrottling(workloadID string) check {
	return check{
		workload: workloadID,
		name:     workloadID + ": 429 answers, all phases and runs",
		target:   "0",
		eval: func(s *session) (string, bool) {
			w := s.workload(workloadID)
			if w == nil {
				return "not measured", false
			}
			n, runs := 0, 0
			for _, p := range w.phases {
				for _, r := range s.results[workloadID][p.name()] {
					n += r.counters["status.429"]
					runs++
				}
			}
			if runs == 0 {
				return "not measured", false
			}
			return fmt.Sprint(n), n == 0
		},
	}
}

// netWithinIdeal: median wall time minus the fixed cost is at most factor
// times the ideal time.
func netWithinIdeal(workloadID, label string, factor float64) check {
	return check{
		workload: workloadID,
		name:     fmt.Sprintf("%s %s: measured − fixed vs ideal", workloadID, label),
		target:   "≤ " + formatFloat(factor) + " × ideal",
		eval: func(s *session) (string, bool) {
			ps, why := measuredPhase(s, workloadID, label)
			if ps == nil {
				return why, false
			}
			if ps.ideal <= 0 || !ps.hasFixed {
				return "no ideal or fixed cost", false
			}
			return fmt.Sprintf("%.2f × (%s vs %s)", ps.ratio, formatSeconds(ps.net), formatSeconds(ps.ideal)), ps.ratio <= factor
		},
	}
}

// fasterThan: the phase's median measured − fixed is at most 1/factor of
// the other phase's of the same workload.
func fasterThan(workloadID, label, slower string, factor float64) check {
	return check{
		workload: workloadID,
		name:     fmt.Sprintf("%s %s: measured − fixed vs %s", workloadID, label, slower),
		target:   "≥ " + formatFloat(factor) + " × faster",
		eval: func(s *session) (string, bool) {
			fast, why := measuredPhase(s, workloadID, label)
			if fast == nil {
				return why, false
			}
			slow, why := measuredPhase(s, workloadID, slower)
			if slow == nil {
				return slower + ": " + why, false
			}
			if !fast.hasFixed || !slow.hasFixed || fast.net <= 0 {
				return "no fixed cost", false
			}
			speedup := slow.net.Seconds() / fast.net.Seconds()
			return fmt.Sprintf("%.2f × (%s vs %s)", speedup, formatSeconds(fast.net), formatSeconds(slow.net)), speedup >= factor
		},
	}
}

// peakRSSBelow: the provider's peak resident set over the phase's runs.
func peakRSSBelow(workloadID, label string, limit int64) check {
	return check{
		workload: workloadID,
		name:     fmt.Sprintf("%s %s: provider peak RSS", workloadID, label),
		target:   "≤ " + formatMB(limit),
		eval: func(s *session) (string, bool) {
			ps, why := measuredPhase(s, workloadID, label)
			if ps == nil {
				return why, false
			}
			if ps.peakRSS <= 0 {
				return "no provider process was observed", false
			}
			return formatMB(ps.peakRSS), ps.peakRSS <= limit
		},
	}
}

// phasesSucceed: every run of every phase exited as expected.
func phasesSucceed(workloadID string) check {
	return check{
		workload: workloadID,
		name:     workloadID + ": every phase of every run succeeds",
		target:   "0 failures",
		eval: func(s *session) (string, bool) {
			w := s.workload(workloadID)
			if w == nil {
				return "not measured", false
			}
			failed, runs := 0, 0
			for _, p := range w.phases {
				for _, r := range s.results[workloadID][p.name()] {
					runs++
					if r.err != "" {
						failed++
					}
				}
			}
			if runs == 0 {
				return "not measured", false
			}
			return fmt.Sprintf("%d failures in %d phase runs", failed, runs), failed == 0
		},
	}
}

var kindsByName = map[string]phaseKind{
	kindApply.name:   kindApply,
	kindRefresh.name: kindRefresh,
	kindDestroy.name: kindDestroy,
}
