package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// These tests cover the arithmetic and the report; the measurement itself
// needs a CLI and minutes, and is `make bench`.

func TestMedian(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIdealAndAllowedConcurrency(t *testing.T) {
	t.Parallel()
	one := &workload{parallelism: 10, groups: 1}
	ten := &workload{parallelism: 10, groups: 10}
	if got := one.allowedConcurrency(4); got != 4 {
		t.Errorf("one group: allowed = %d, want 4", got)
	}
	if got := ten.allowedConcurrency(4); got != 10 {
		t.Errorf("ten groups: allowed = %d, want min(10, 40) = 10", got)
	}
	// 200 requests of 50 ms, 4 at a time: 2.5 s.
	if got := idealTime(200, 50*time.Millisecond, 4); got != 2500*time.Millisecond {
		t.Errorf("idealTime = %v, want 2.5s", got)
	}
}

func testConfig() config {
	return config{runs: 3, latency: 50 * time.Millisecond, mailboxLimit: 4, n: 100, groups: 10, parallelism: 10, bigN: 1000,
		pollInterval: 10 * time.Millisecond, command: "make bench"}
}

func result(wall time.Duration, counters map[string]int) phaseResult {
	return phaseResult{wall: wall, counters: counters, peakRSS: 50 << 20}
}

// phaseNamed finds a workload's phase by its label.
func phaseNamed(t *testing.T, w *workload, label string) phase {
	t.Helper()
	for _, p := range w.phases {
		if p.name() == label {
			return p
		}
	}
	t.Fatalf("%s has no phase %q", w.id, label)
	return phase{}
}

// A session with made-up results: W1's apply takes 200 requests and 3.5 s
// against a fixed cost of 0.5 s, so 3 s net for a 2.5 s ideal; its refresh
// takes one listing and 0.9 s (0.4 s net), 2.5 s (2 s net) with coalescing
// off.
func fakeSession(t *testing.T) *session {
	t.Helper()
	cfg := testConfig()
	cfg.only = []string{"W1"}
	s := newSession(cfg, workloads(cfg))
	fixed, w1 := s.workload("fixed"), s.workload("W1")
	for i, ms := range []int{400, 500, 900} {
		for _, p := range fixed.phases {
			s.add(fixed, p, result(time.Duration(ms)*time.Millisecond, map[string]int{}))
		}
		apply := map[string]int{"conversations.create": 100, "conversations.get": 100, "requests.total": 200}
		s.add(w1, phaseNamed(t, w1, "apply"), result(time.Duration(3000+500*i)*time.Millisecond, apply))
		s.add(w1, phaseNamed(t, w1, "refresh"), result(900*time.Millisecond, map[string]int{"conversations.list": 1, "requests.total": 1}))
		s.add(w1, phaseNamed(t, w1, labelRefreshUncoalesced), result(2500*time.Millisecond,
			map[string]int{"conversations.get": 100, "requests.total": 100}))
		destroy := map[string]int{"conversations.get": 100, "conversations.delete": 100, "requests.total": 203, "status.429": 3}
		s.add(w1, phaseNamed(t, w1, "destroy"), result(5*time.Second, destroy))
	}
	s.summarize()
	return s
}

func TestSummarySubtractsFixedCost(t *testing.T) {
	t.Parallel()
	s := fakeSession(t)
	apply := s.summary("W1", "apply")
	if apply == nil {
		t.Fatal("no summary for W1 apply")
	}
	if apply.wall != 3500*time.Millisecond || apply.fixed != 500*time.Millisecond || apply.net != 3*time.Second {
		t.Fatalf("wall %v fixed %v net %v, want medians 3.5s, 0.5s and 3s", apply.wall, apply.fixed, apply.net)
	}
	if apply.ideal != 2500*time.Millisecond || apply.ratio != 1.2 {
		t.Fatalf("ideal %v ratio %v, want 2.5s and 1.2", apply.ideal, apply.ratio)
	}
	destroy := s.summary("W1", "destroy")
	// The 3 throttled requests are not in the ideal: Graph refused them at
	// once.
	if destroy.served != 200 || destroy.throttled != 3 || destroy.ideal != 2500*time.Millisecond {
		t.Fatalf("served %v throttled %v ideal %v", destroy.served, destroy.throttled, destroy.ideal)
	}
}

func TestChecks(t *testing.T) {
	t.Parallel()
	s := fakeSession(t)
	results := map[string]bool{}
	for _, c := range evaluate(s, targets(s.cfg)) {
		results[c.name] = c.pass
	}
	for name, want := range map[string]bool{
		"W1 apply: Graph requests per created conversation (issue 6)":               true,  // 2.00
		"W1 apply: Graph requests per created conversation (issue 8)":               false, // 2.00 > 1.1
		"W1 refresh: Graph requests per refreshed conversation (issue 8)":           true,  // 0.01
		"W1 destroy: Graph requests per destroyed conversation (issue 6)":           false, // 2.03
		"W1 refresh: measured − fixed vs " + labelRefreshUncoalesced + " (issue 8)": true,  // 2 s / 0.4 s
		"W1: 429 answers, all phases and runs (issue 6)":                            false,
		"W1 apply: measured − fixed vs ideal (issue 6)":                             true,  // 1.2
		"W1 destroy: measured − fixed vs ideal (issue 6)":                           false, // 4.5 / 2.5
		"W1: every phase of every run succeeds":                                     true,
	} {
		got, ok := results[name]
		if !ok {
			t.Errorf("no check %q among %v", name, results)
			continue
		}
		if got != want {
			t.Errorf("%s: pass = %v, want %v", name, got, want)
		}
	}
	for name := range results {
		if strings.HasPrefix(name, "W2") || strings.HasPrefix(name, "W4") {
			t.Errorf("check %q of a workload that -only left out", name)
		}
	}
}

func TestReportShowsTheTableAndFailures(t *testing.T) {
	t.Parallel()
	s := fakeSession(t)
	rep := &report{cfg: s.cfg, session: s, cliVersion: "Terraform v1.11.4", machine: machine{cores: 2}}
	rep.checks = evaluate(s, targets(s.cfg))
	text := rep.markdown()
	for _, want := range []string{
		"`make bench`",
		"2 cores",
		"Terraform v1.11.4",
		"| W1 | apply | 3 | 3.50 s | 0.50 s | 3.00 s | create 100 · get 100 | 0 | 2.50 s | 1.20 | 50.0 MB |",
		"**FAIL**",
		"## Refresh with coalescing on and off (issue 8)",
		"| W1 | 100 | list 1 | get 100 | 0.40 s | 2.00 s | 5.00 × |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	if rep.passed() {
		t.Error("passed() with failing checks")
	}
}

func TestTimeline(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	requests := []request{
		{start: at(100), end: at(150), status: 200},
		{start: at(120), end: at(170), status: 200},
		{start: at(130), end: at(130), status: 429},
		{start: at(300), end: at(350), status: 200},
	}
	got := timelineOf(requests, t0, at(400))
	want := timelineStats{window: 250 * time.Millisecond, lead: 100 * time.Millisecond, tail: 50 * time.Millisecond,
		idle: 130 * time.Millisecond, meanInFlight: 150.0 / 250.0}
	if got != want {
		t.Fatalf("timelineOf = %+v, want %+v", got, want)
	}
	if (timelineOf(nil, t0, at(10)) != timelineStats{}) {
		t.Fatal("no requests should give zero stats")
	}
}

func TestProcParsing(t *testing.T) {
	t.Parallel()
	hwm, ok := parseHWM([]byte("Name:\tterraform-provi\nVmPeak:\t  900000 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40000 kB\n"))
	if !ok || hwm != 50<<20 {
		t.Fatalf("parseHWM = %d, %v; want 50 MiB", hwm, ok)
	}
	stat := "4242 (terraform-provi der) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 25 0 0 20 0 12 0 100 0 0"
	cpu, ok := parseStatCPU([]byte(stat))
	if !ok || cpu != 1750*time.Millisecond {
		t.Fatalf("parseStatCPU = %v, %v; want 1.75s (175 ticks)", cpu, ok)
	}
}

func TestParseHandshake(t *testing.T) {
	t.Parallel()
	network, address, err := parseHandshake("1|6|unix|/tmp/plugin123|grpc|\n")
	if err != nil || network != "unix" || address != "/tmp/plugin123" {
		t.Fatalf("got %q %q %v", network, address, err)
	}
	if _, _, err := parseHandshake("1|5|unix|/tmp/p|grpc|"); err == nil {
		t.Fatal("protocol 5 accepted")
	}
}

func TestConfiguration(t *testing.T) {
	t.Parallel()
	w := &workload{n: 100, providerAttrs: map[string]string{"max_concurrent_requests_per_group": "4"}}
	p := phase{kind: kindRefresh, providerAttrs: map[string]string{"coalesce_reads": "false"}}
	text := configuration(w, p, []string{"endpoint = \"x\""})
	for _, want := range []string{
		"count    = 100",
		"  coalesce_reads = false\n",
		"  max_concurrent_requests_per_group = 4\n",
		"  endpoint = \"x\"\n",
		"var.group_ids[count.index % length(var.group_ids)]",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("configuration lacks %q:\n%s", want, text)
		}
	}
}

func TestWorkloadsRunEveryKindAtZero(t *testing.T) {
	t.Parallel()
	ws := workloads(testConfig())
	if !ws[0].fixed || ws[0].n != 0 {
		t.Fatalf("the first workload must be the fixed cost, got %+v", ws[0])
	}
	var kinds []string
	for _, p := range ws[0].phases {
		kinds = append(kinds, p.kind.name)
	}
	if got := strings.Join(kinds, ","); got != "apply,refresh,destroy" {
		t.Fatalf("fixed phases %s", got)
	}
	seen := map[string]bool{}
	for _, w := range ws {
		if seen[w.id] {
			t.Fatalf("workload id %s twice", w.id)
		}
		seen[w.id] = true
		labels := map[string]bool{}
		for _, p := range w.phases {
			if labels[p.name()] {
				t.Fatalf("%s: phase label %q twice", w.id, p.name())
			}
			labels[p.name()] = true
		}
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-runs", "5", "-only", "W1, W3", "-env", "A=b"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.runs != 5 || strings.Join(cfg.only, ",") != "W1,W3" || len(cfg.extraEnv) != 1 {
		t.Fatalf("parsed %+v", cfg)
	}
	if _, err := parseFlags([]string{"-runs", "0"}, io.Discard); err == nil {
		t.Fatal("-runs 0 accepted")
	}
}

func TestGraphCauses(t *testing.T) {
	t.Parallel()
	log := strings.Split(`Error: Create Group Conversation Failed

HTTP status: 400
Graph error code: BadRequest
Graph error message: The request body is labelled Content-Encoding: gzip but
is not valid gzip data.

Error: Create Group Conversation Failed

HTTP status: 400
Graph error code: BadRequest
Graph error message: The request body is labelled Content-Encoding: gzip but

Error: Create Group Conversation Failed

HTTP status: 429
Graph error code: ApplicationThrottled
`, "\n")
	got := graphCauses(log)
	want := "; Graph answered: 2 × HTTP 400 BadRequest (The request body is labelled Content-Encoding: gzip but…), " +
		"1 × HTTP 429 ApplicationThrottled"
	if got != want {
		t.Fatalf("graphCauses =\n%q\nwant\n%q", got, want)
	}
}

func TestBestListing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		service      serviceBehaviour
		seeded, n    int
		wantRequests int
	}{
		{serviceBehaviour{}, 5000, 10, 6},
		{serviceBehaviour{}, 5000, 100, 6},
		{serviceBehaviour{maxPageSize: 100}, 5000, 100, 51},
		{serviceBehaviour{maxPageSize: 10}, 5000, 10, 501},
		{serviceBehaviour{behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}}, 5000, 10, 1},
		{serviceBehaviour{behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}, maxPageSize: 10}, 5000, 100, 10},
	} {
		if got := tc.service.bestListing(tc.seeded, tc.n); got != tc.wantRequests {
			t.Errorf("%+v with %d seeded and %d managed: %d requests, want %d", tc.service, tc.seeded, tc.n, got, tc.wantRequests)
		}
	}
}

// TestLargeMailboxTargets checks which refreshes get the 0.1 target, and
// that the checks read the measured requests.
func TestLargeMailboxTargets(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.largeMailbox = 5000
	cfg.only = []string{"L10", "L100"}
	s := newSession(cfg, workloads(cfg))
	fixed := s.workload("fixed")
	for _, p := range fixed.phases {
		s.add(fixed, p, result(time.Second, map[string]int{}))
	}
	// What today's provider sends: one listing of $top=1000 followed to
	// the end, or cut short by a $top that caps the total and then a GET
	// for each conversation the listing missed.
	lists := map[string]func(n int) map[string]int{
		"refresh":               func(int) map[string]int { return map[string]int{"conversations.list": 6, "requests.total": 6} },
		"refresh, page cap 100": func(int) map[string]int { return map[string]int{"conversations.list": 51, "requests.total": 51} },
		"refresh, $top caps the total": func(n int) map[string]int {
			return map[string]int{"conversations.list": 1, "conversations.get": n, "requests.total": n + 1}
		},
		"refresh, odata.maxpagesize honoured, page cap 10": func(n int) map[string]int {
			return map[string]int{"conversations.list": 510, "requests.total": 510}
		},
		"refresh, newest first": func(int) map[string]int { return map[string]int{"conversations.list": 6, "requests.total": 6} },
	}
	for _, n := range largeMailboxSizes {
		w := s.workload(largeMailboxID(n))
		if w == nil || w.seeded != 5000 || w.runs != 1 {
			t.Fatalf("workload %s = %+v", largeMailboxID(n), w)
		}
		for _, p := range w.phases {
			counters := map[string]int{"conversations.create": n, "requests.total": n}
			if f, ok := lists[p.name()]; ok {
				counters = f(n)
			}
			s.add(w, p, result(2*time.Second, counters))
		}
	}
	s.summarize()
	// Keyed by name and target: a refresh can have both targets.
	results := map[string]bool{}
	for _, c := range evaluate(s, targets(cfg)) {
		results[c.name+" "+c.target] = c.pass
	}
	name := func(id, label string, issue int) string {
		return id + " " + label + ": Graph requests per refreshed conversation (issue " + strconv.Itoa(issue) + ")"
	}
	want := map[string]bool{
		name("L10", "refresh", 15) + " ≤ 1":                                           true,  // 0.6
		name("L10", "refresh, page cap 100", 15) + " ≤ 1":                             false, // 5.1
		name("L10", "refresh, $top caps the total", 15) + " ≤ 1":                      false, // 1.1
		name("L10", "refresh, newest first", 15) + " ≤ 1":                             true,  // 0.6
		name("L10", "refresh, newest first", 15) + " ≤ 0.1":                           false, // 0.6
		name("L100", "refresh", 15) + " ≤ 0.1":                                        true,  // 0.06
		name("L100", "refresh, page cap 100", 15) + " ≤ 1":                            true,  // 0.51
		name("L100", "refresh, odata.maxpagesize honoured, page cap 10", 15) + " ≤ 1": false, // 5.1
		"L10: every phase of every run succeeds 0 failures":                           true,
	}
	for check, pass := range want {
		got, ok := results[check]
		if !ok {
			t.Errorf("no check %q", check)
			continue
		}
		if got != pass {
			t.Errorf("%s: pass = %v, want %v", check, got, pass)
		}
	}
	// The 0.1 target applies where pages of the service's size reach
	// every managed conversation in a tenth of N requests: with the
	// filter, a service lists them alone.
	tenths := 0
	wantTenths := []string{
		name("L10", "refresh, newest first", 15), name("L100", "refresh", 15),
		name("L100", "refresh, $top caps the total", 15), name("L100", "refresh, newest first", 15),
	}
	for _, id := range []string{"L10", "L100"} {
		for _, label := range []string{"refresh", "refresh, page cap 100", "refresh, $top caps the total",
			"refresh, odata.maxpagesize honoured, page cap 10", "refresh, newest first"} {
			wantTenths = append(wantTenths, name(id, label+labelFilterHonoured, 15))
		}
	}
	for _, c := range targets(cfg) {
		if c.target == "≤ 0.1" {
			tenths++
			if !slices.Contains(wantTenths, c.name) {
				t.Errorf("unexpected 0.1 target %q", c.name)
			}
		}
	}
	if tenths != len(wantTenths) {
		t.Errorf("%d targets of 0.1, want %d", tenths, len(wantTenths))
	}
	rep := &report{cfg: cfg, session: s, cliVersion: "Terraform v1.11.4", machine: machine{cores: 2}}
	rep.checks = evaluate(s, targets(cfg))
	text := rep.markdown()
	for _, row := range []string{
		"## Refresh in a large mailbox (issue 15)",
		"| L10 | 10 | refresh, page cap 100 | list 51 | 5.10 | 51 | ≤ 1 | ok |",
		"| L100 | 100 | refresh, newest first | list 6 | 0.06 | 1 | ≤ 0.1 | ok |",
	} {
		if !strings.Contains(text, row) {
			t.Errorf("the report lacks %q:\n%s", row, text)
		}
	}
}

// The saved refresh before each measured large-mailbox refresh starts from
// a state without private state, as an older version would have written.
func TestForgetPrivateState(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "terraform.tfstate")
	state := `{"version":4,"serial":3,"resources":[{"type":"msgraph_group_conversation","instances":[` +
		`{"index_key":0,"attributes":{"id":"a"},"private":"eyJsaXN0aW5nIjp7fX0="},{"index_key":1,"attributes":{"id":"b"}}]}]}`
	if err := os.WriteFile(path, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := forgetPrivateState(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if strings.Contains(text, "private") || !strings.Contains(text, `"id": "a"`) || !strings.Contains(text, `"serial": 3`) {
		t.Errorf("after forgetPrivateState:\n%s", text)
	}
}
