// Command msgraph-bench is `make bench`. It measures the provider, run as
// a separate process by the real Terraform (or OpenTofu) CLI, against the
// physical limit of Microsoft Graph and against a naive client: the
// in-process Graph emulator serves on loopback with 50 ms per request and 4
// requests in flight per group mailbox (429 with Retry-After: 1 beyond),
// as Exchange does. Every phase (apply, refresh, destroy) is timed, the
// emulator counts its requests, and the provider's peak RSS is read from
// /proc. It prints a table, writes it to BENCHMARKS.md, and exits non-zero
// when a target (see workloads.go) is missed; the table is written either
// way.
//
// The workloads, phases and targets are declared in workloads.go.
//
// It builds the provider it measures with the msgraphbench build tag
// (go build -tags msgraphbench), which compiles in the two switches only a
// benchmark needs: MSGRAPH_BENCH_NAIVE_CLIENT, which the naive baseline (W3)
// sets to run on msgraph-sdk-go's default middleware, and
// MSGRAPH_PROVIDER_PROFILE_DIR, which -provider-profile sets. The default
// build, which users run, has neither; the size reported is that build's.
// A binary given with -provider must have been built with the tag when W3 or
// -provider-profile is in the session.
package main

import (
	"context"
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

type config struct {
	runs           int
	out            string
	cli            string
	provider       string
	goCmd          string
	latency        time.Duration
	mailboxLimit   int
	retryAfter     int
	n              int
	bigN           int
	largeMailbox   int
	groups         int
	parallelism    int
	timeout        time.Duration
	commandTimeout time.Duration
	schemaLaunches int
	pollInterval   time.Duration
	command        string
	only           []string
	keep           bool
	cpuProfileDir  string
	extraEnv       stringList
	providerAttrs  stringList
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, " ") }

func (l *stringList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return errors.New("want NAME=VALUE")
	}
	*l = append(*l, v)
	return nil
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var only string
	fs := flag.NewFlagSet("msgraph-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.runs, "runs", 3, "repetitions of each workload; the table shows medians")
	fs.StringVar(&cfg.out, "out", "BENCHMARKS.md", "markdown `file` to write; empty writes none")
	fs.StringVar(&cfg.cli, "cli", os.Getenv("TF_ACC_TERRAFORM_PATH"), "Terraform or OpenTofu CLI `path` (default $TF_ACC_TERRAFORM_PATH, else terraform on PATH)")
	fs.StringVar(&cfg.provider, "provider", "", "provider binary `path` to measure, built with -tags "+benchTag+" for W3 and -provider-profile (default: that build of the module in the current directory)")
	fs.StringVar(&cfg.goCmd, "go", "go", "go `command` that builds the provider")
	fs.DurationVar(&cfg.latency, "latency", 50*time.Millisecond, "emulator latency per request")
	fs.IntVar(&cfg.mailboxLimit, "mailbox-limit", 4, "requests in flight per group mailbox before the emulator answers 429")
	fs.IntVar(&cfg.retryAfter, "retry-after", 1, "Retry-After `seconds` of the emulator's 429s")
	fs.IntVar(&cfg.n, "n", 100, "conversations in workloads W0-W3")
	fs.IntVar(&cfg.bigN, "big-n", 1000, "conversations in the once-run memory workload W4; 0 skips it")
	fs.IntVar(&cfg.largeMailbox, "large-mailbox", 5000, "conversations already in the group of the large-mailbox workloads L10 and L100; 0 skips them")
	fs.IntVar(&cfg.groups, "groups", 10, "groups W2 spreads its conversations over")
	fs.IntVar(&cfg.parallelism, "parallelism", 10, "the CLI's -parallelism")
	fs.DurationVar(&cfg.timeout, "timeout", 17*time.Minute, "bound of the whole session (build included)")
	fs.DurationVar(&cfg.commandTimeout, "command-timeout", 5*time.Minute, "bound of one CLI command")
	fs.IntVar(&cfg.schemaLaunches, "schema-launches", 10, "provider launches timed for start-up and schema")
	fs.DurationVar(&cfg.pollInterval, "poll", 10*time.Millisecond, "interval of the /proc polling for the provider's RSS")
	fs.StringVar(&cfg.command, "command", "", "the command line to record in the report (make bench passes its own)")
	fs.StringVar(&only, "only", "", "comma-separated workload ids to run (e.g. W1,W3), for investigating; the fixed cost always runs")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the working directory (CLI logs, states)")
	fs.Var(&cfg.extraEnv, "env", "`NAME=VALUE` added to the environment of every CLI command (and so of the provider); repeatable, for investigating")
	fs.Var(&cfg.providerAttrs, "provider-attr", "`NAME=HCL` set in the provider block of every workload (e.g. coalesce_reads=false); repeatable, for investigating")
	fs.StringVar(&cfg.cpuProfileDir, "provider-profile", "", "`directory` in which every provider process writes CPU and heap profiles "+
		"and memory statistics (cpu-<pid>.pprof, heap-<pid>.pprof, runtime-<pid>.txt; for investigating, as profiling costs CPU itself)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for _, id := range strings.Split(only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			cfg.only = append(cfg.only, id)
		}
	}
	switch {
	case cfg.runs < 1:
		return cfg, errors.New("-runs must be at least 1")
	case cfg.n < 1 || cfg.bigN < 0 || cfg.largeMailbox < 0 || cfg.groups < 1 || cfg.parallelism < 1 || cfg.mailboxLimit < 1:
		return cfg, errors.New("-n, -groups, -parallelism and -mailbox-limit must be positive, -big-n and -large-mailbox not negative")
	case cfg.latency <= 0:
		return cfg, errors.New("-latency must be positive: the ideal time is measured in it")
	}
	if cfg.cpuProfileDir != "" {
		// The providers run in the CLI's working directory.
		dir, err := filepath.Abs(cfg.cpuProfileDir)
		if err != nil {
			return cfg, err
		}
		cfg.cpuProfileDir = dir
	}
	if cfg.command == "" {
		cfg.command = "go run ./cmd/msgraph-bench " + strings.Join(args, " ")
	}
	return cfg, nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "msgraph-bench:", err)
		return 2
	}
	// An interrupt, like the timeout, ends the session early: the CLI
	// commands in flight are killed with their providers, and the table
	// of what was measured is still written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	rep, err := measure(ctx, cfg, stderr)
	if rep == nil {
		fmt.Fprintln(stderr, "msgraph-bench:", err)
		return 1
	}
	if err != nil {
		rep.problems = append(rep.problems, err.Error())
	}
	text := rep.markdown()
	fmt.Fprint(stdout, "\n"+text)
	if cfg.out != "" {
		if werr := os.WriteFile(cfg.out, []byte(text), 0o644); werr != nil {
			fmt.Fprintln(stderr, "msgraph-bench:", werr)
			return 1
		}
		fmt.Fprintf(stderr, "msgraph-bench: wrote %s\n", cfg.out)
	}
	if !rep.passed() {
		fmt.Fprintln(stderr, "msgraph-bench: FAIL: a target was missed or a measurement failed (see above)")
		return 1
	}
	return 0
}

// measure runs the session. It returns a report whenever the setup got far
// enough to measure something, with the error that cut it short, if any.
func measure(ctx context.Context, cfg config, log io.Writer) (*report, error) {
	rep := &report{cfg: cfg, started: time.Now().UTC(), machine: describeMachine()}
	var err error
	if cfg.cli, err = findCLI(cfg.cli); err != nil {
		return nil, err
	}
	rep.cliVersion = cliVersion(ctx, cfg.cli)
	fmt.Fprintf(log, "msgraph-bench: %s at %s; %d cores\n", rep.cliVersion, cfg.cli, runtime.NumCPU())

	work, err := os.MkdirTemp("", "msgraph-bench-")
	if err != nil {
		return nil, err
	}
	if cfg.keep {
		fmt.Fprintf(log, "msgraph-bench: working directory %s (kept)\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	b := &bench{cfg: cfg, log: log, work: work}
	if b.provider, rep.binary, err = buildProvider(ctx, cfg, work, log); err != nil {
		return nil, err
	}
	if err := b.startEmulator(); err != nil {
		return nil, err
	}
	defer b.emu.Close()
	if err := b.writeCLIConfig(); err != nil {
		return nil, err
	}

	fmt.Fprintf(log, "msgraph-bench: timing %d provider launches (start-up and schema)\n", cfg.schemaLaunches)
	for range cfg.schemaLaunches {
		st, err := measureStartup(ctx, b.provider)
		if err != nil {
			rep.problems = append(rep.problems, "provider start-up: "+err.Error())
			break
		}
		rep.startups = append(rep.startups, st)
	}

	ws := workloads(cfg)
	s := newSession(cfg, ws)
	rep.session = s
	busy0, _ := machineBusy()
	self0, children0 := selfCPU(), childrenCPU()
	began := time.Now()
	defer func() {
		// The machine's load over the workloads, this process tree
		// excluded (children's CPU is known once they are waited for).
		if busy1, ok := machineBusy(); ok {
			ours := selfCPU() - self0 + childrenCPU() - children0
			rep.sessionOtherLoad = max((busy1-busy0-ours).Seconds()/time.Since(began).Seconds(), 0)
		}
	}()
	var repeated, once []*workload
	for _, w := range ws {
		if w.runs == 0 {
			repeated = append(repeated, w)
		} else {
			once = append(once, w)
		}
	}
	for run := 1; run <= cfg.runs; run++ {
		for _, w := range repeated {
			fmt.Fprintf(log, "msgraph-bench: %s — %s (run %d of %d)\n", w.id, w.title, run, cfg.runs)
			if err := b.runWorkload(ctx, s, w, run, cfg.runs); err != nil {
				return rep.finish(s), fmt.Errorf("%s run %d: %w", w.id, run, err)
			}
		}
	}
	for _, w := range once {
		for run := 1; run <= w.runs; run++ {
			fmt.Fprintf(log, "msgraph-bench: %s — %s\n", w.id, w.title)
			if err := b.runWorkload(ctx, s, w, run, w.runs); err != nil {
				return rep.finish(s), fmt.Errorf("%s run %d: %w", w.id, run, err)
			}
		}
	}
	return rep.finish(s), nil
}

// findCLI resolves the CLI: the flag (or $TF_ACC_TERRAFORM_PATH), else
// terraform, else tofu on PATH.
func findCLI(cli string) (string, error) {
	if cli != "" {
		return exec.LookPath(cli)
	}
	for _, name := range []string{"terraform", "tofu"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("no Terraform or OpenTofu CLI: pass -cli, set TF_ACC_TERRAFORM_PATH, or run through make bench")
}

func cliVersion(ctx context.Context, cli string) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, "version")
	cmd.Env = append(cleanEnv(os.Environ()), "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE=/dev/null")
	out, err := cmd.Output()
	if err != nil {
		return filepath.Base(cli) + " (version unknown)"
	}
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// benchTag is the build tag that compiles the provider's benchmarking
// switches in (see the package doc).
const benchTag = "msgraphbench"

// buildProvider builds the provider to measure from the module in the
// current directory, with benchTag, into the working directory, so that no
// other build of bin/ can replace it mid-session; and the default build
// twice, for the size users get: as go build links it and without symbols,
// as release builds link. A binary given with -provider is checked for the
// tag when the session needs it.
func buildProvider(ctx context.Context, cfg config, work string, log io.Writer) (string, binaryInfo, error) {
	var info binaryInfo
	path := cfg.provider
	if path == "" {
		path = filepath.Join(work, "provider", "terraform-provider-msgraph")
		fmt.Fprintf(log, "msgraph-bench: building the provider to measure (go build -tags %s .)\n", benchTag)
		if err := goBuild(ctx, cfg.goCmd, path, "-tags="+benchTag); err != nil {
			return "", info, err
		}
		info.built = true
		fmt.Fprintln(log, "msgraph-bench: building it as users get it, for its size (go build . and go build -ldflags='-s -w' .)")
		for _, b := range []struct {
			size  *int64
			flags []string
		}{{&info.size, nil}, {&info.releaseSize, []string{"-ldflags=-s -w"}}} {
			release := filepath.Join(work, "release", "terraform-provider-msgraph")
			if err := goBuild(ctx, cfg.goCmd, release, b.flags...); err != nil {
				fmt.Fprintf(log, "msgraph-bench: a default build failed (size not reported): %v\n", err)
				continue
			}
			if st, err := os.Stat(release); err == nil {
				*b.size = st.Size()
			}
		}
	}
	path, err := filepath.Abs(path)
	if err == nil {
		path, err = filepath.EvalSymlinks(path)
	}
	if err != nil {
		return "", info, err
	}
	if !info.built {
		st, err := os.Stat(path)
		if err != nil {
			return "", info, err
		}
		info.size = st.Size()
		if needs := needsBenchTag(cfg); len(needs) > 0 {
			tagged, err := builtWithBenchTag(path)
			if err != nil {
				return "", info, err
			}
			if !tagged {
				return "", info, fmt.Errorf("%s was not built with -tags %s, which %s needs: build it with "+
					"go build -tags %s, or leave -provider out", path, benchTag, strings.Join(needs, " and "), benchTag)
			}
		}
	}
	return path, info, nil
}

// needsBenchTag names what in the session needs the provider built with
// benchTag.
func needsBenchTag(cfg config) []string {
	var needs []string
	if slices.ContainsFunc(workloads(cfg), func(w *workload) bool { return slices.Contains(w.env, envNaiveClient) }) {
		needs = append(needs, "the naive baseline (W3)")
	}
	if cfg.cpuProfileDir != "" {
		needs = append(needs, "-provider-profile")
	}
	return needs
}

// builtWithBenchTag reports whether the Go binary at path was built with
// benchTag.
func builtWithBenchTag(path string) (bool, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return false, fmt.Errorf("reading the build information of %s: %w", path, err)
	}
	for _, s := range info.Settings {
		if s.Key == "-tags" && slices.Contains(strings.Split(s.Value, ","), benchTag) {
			return true, nil
		}
	}
	return false, nil
}

func goBuild(ctx context.Context, goCmd, out string, flags ...string) error {
	args := append(append([]string{"build"}, flags...), "-o", out, ".")
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w", goCmd, strings.Join(args, " "), err)
	}
	return nil
}
