// Command msgraph-conformance is `make conformance`. It probes a Microsoft
// Graph service for the behaviour of group conversations that Graph's docs
// leave open, and prints a table of what the service did and which
// msgraph-emulator option matches it.
//
// With MSGRAPH_CONFORMANCE_TOKEN (a delegated access token) and
// MSGRAPH_CONFORMANCE_GROUP_ID set, it probes that tenant; see the guide
// "Checking the emulator against your tenant". Without them it checks itself
// against the emulator: it starts msgraph-emulator (-emulator) once in each
// of the suite's modes and fails unless the probes identify exactly the mode
// that was set.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/conformance"
)

// The environment of a live run.
const (
	envToken        = "MSGRAPH_CONFORMANCE_TOKEN"
	envGroupID      = "MSGRAPH_CONFORMANCE_GROUP_ID"
	envEndpoint     = "MSGRAPH_CONFORMANCE_ENDPOINT"
	envCreateGroups = "MSGRAPH_CONFORMANCE_CREATE_GROUPS"
	envNonUnified   = "MSGRAPH_CONFORMANCE_NON_UNIFIED_GROUP_ID"
	envRecipients   = "MSGRAPH_CONFORMANCE_RECIPIENTS"
	envMailboxWait  = "MSGRAPH_CONFORMANCE_MAILBOX_WAIT"
)

type config struct {
	out      string
	skip     []string
	emulator string
	modes    []string
	verbose  bool
	timeout  time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	var skip, modes string
	fs := flag.NewFlagSet("msgraph-conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage: msgraph-conformance [flags]

Against a tenant: set %s (a delegated token for Microsoft Graph) and
%s (a Microsoft 365 group made for testing); optionally
%s (default %s),
%s=1 (also create and delete groups: the mailbox-delay
and non-unified probes; needs Group.ReadWrite.All),
%s (read this security group instead of creating one),
%s (comma-separated addresses for the recipient probes;
default: the signed-in user's own), %s (default 15m).

Without them: checks the probes against msgraph-emulator in each mode.

Probes:
%s
Flags:
`, envToken, envGroupID, envEndpoint, conformance.DefaultEndpoint, envCreateGroups, envNonUnified, envRecipients, envMailboxWait,
			conformance.ProbeHelp())
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.out, "out", "", "also write the report (markdown) to this `file`")
	fs.StringVar(&skip, "skip", "", "comma-separated probe `ids` not to run")
	fs.StringVar(&cfg.emulator, "emulator", "bin/msgraph-emulator", "msgraph-emulator `binary` for the self-check")
	fs.StringVar(&modes, "mode", "", "comma-separated emulator `modes` to check (default: all); names as printed")
	fs.BoolVar(&cfg.verbose, "v", false, "print every step, and every mode's table in the self-check")
	fs.DurationVar(&cfg.timeout, "timeout", 45*time.Minute, "bound of the whole run, clean-up included")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	cfg.skip = splitList(skip)
	cfg.modes = splitList(modes)
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "msgraph-conformance:", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	// The first interrupt stops the probes and lets the clean-up run; after
	// it the default handling is back, so a second one ends the process.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-finished:
		case <-ctx.Done():
			stop()
			if errors.Is(ctx.Err(), context.Canceled) {
				fmt.Fprintln(stderr, "msgraph-conformance: interrupted: cleaning up what this run created (interrupt again to abandon)")
			}
		}
	}()

	token, group := getenv(envToken), getenv(envGroupID)
	switch {
	case token != "" && group != "":
		return live(ctx, cfg, getenv, stdout, stderr)
	case token != "" || group != "":
		fmt.Fprintf(stderr, "msgraph-conformance: set both %s and %s to probe a tenant, or neither to check the emulator\n", envToken, envGroupID)
		return 2
	}
	return selfCheck(ctx, cfg, stdout, stderr)
}

// live probes a tenant and prints the report.
func live(ctx context.Context, cfg config, getenv func(string) string, stdout, stderr io.Writer) int {
	opts := conformance.Options{
		Endpoint:          getenv(envEndpoint),
		Token:             getenv(envToken),
		GroupID:           strings.TrimSpace(getenv(envGroupID)),
		NonUnifiedGroupID: strings.TrimSpace(getenv(envNonUnified)),
		Recipients:        splitList(getenv(envRecipients)),
		Skip:              cfg.skip,
		Log:               stderr,
		Build:             build(),
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv(envCreateGroups))); v {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		opts.CreateGroups = true
	default:
		fmt.Fprintf(stderr, "msgraph-conformance: %s=%q: want 1 or 0\n", envCreateGroups, v)
		return 2
	}
	if v := getenv(envMailboxWait); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			fmt.Fprintf(stderr, "msgraph-conformance: %s=%q is not a positive duration such as 20m\n", envMailboxWait, v)
			return 2
		}
		opts.MailboxWait = d
	}
	report, err := conformance.Run(ctx, opts)
	if report == nil {
		fmt.Fprintln(stderr, "msgraph-conformance:", err)
		return 1
	}
	text := report.Markdown()
	fmt.Fprint(stdout, text)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(text), 0o644); err != nil {
			fmt.Fprintln(stderr, "msgraph-conformance:", err)
			return 1
		}
		fmt.Fprintf(stderr, "msgraph-conformance: wrote %s: please review it, then paste it into a GitHub issue\n", cfg.out)
	}
	if !report.OK() {
		fmt.Fprintln(stderr, "msgraph-conformance: the run did not finish cleanly (see Problems and Clean-up in the report)")
		return 1
	}
	return 0
}

// build names the tool's source revision, when the build recorded it.
func build() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " with local changes"
			}
		}
	}
	if revision == "" {
		return ""
	}
	return "msgraph-conformance built from " + revision[:min(12, len(revision))] + modified
}

// selfCheck starts msgraph-emulator in each mode and checks that the probes
// identify it.
func selfCheck(ctx context.Context, cfg config, stdout, stderr io.Writer) int {
	modes := conformance.Modes()
	if len(cfg.modes) > 0 {
		modes = nil
		for _, name := range cfg.modes {
			m, ok := conformance.FindMode(name)
			if !ok {
				fmt.Fprintf(stderr, "msgraph-conformance: no mode %q\n", name)
				return 2
			}
			modes = append(modes, m)
		}
	}
	binary, err := exec.LookPath(cfg.emulator)
	if err != nil {
		fmt.Fprintf(stderr, "msgraph-conformance: the emulator binary: %v (make conformance builds it into bin/)\n", err)
		return 2
	}
	work, err := os.MkdirTemp("", "msgraph-conformance-")
	if err != nil {
		fmt.Fprintln(stderr, "msgraph-conformance:", err)
		return 1
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(stdout, "msgraph-conformance: no %s set: checking the probes against %s in %d modes\n", envToken, binary, len(modes))
	failures := 0
	started := time.Now()
	for i, m := range modes {
		took, report, problems := checkMode(ctx, cfg, binary, filepath.Join(work, fmt.Sprintf("ready-%d.json", i)), m, stderr)
		if len(problems) == 0 {
			fmt.Fprintf(stdout, "  ok    %-42s %5.1fs  %4d requests  msgraph-emulator %s\n", m.Name, took.Seconds(), report.Requests, strings.Join(m.Args, " "))
		} else {
			failures++
			fmt.Fprintf(stdout, "  FAIL  %-42s %5.1fs  msgraph-emulator %s\n", m.Name, took.Seconds(), strings.Join(m.Args, " "))
			for _, p := range problems {
				fmt.Fprintf(stdout, "        %s\n", p)
			}
		}
		if report != nil && (cfg.verbose || len(problems) > 0) {
			fmt.Fprintf(stdout, "\n%s\n", report.Markdown())
		}
		if ctx.Err() != nil {
			break
		}
	}
	fmt.Fprintf(stdout, "msgraph-conformance: %d of %d modes identified in %.1fs\n", len(modes)-failures, len(modes), time.Since(started).Seconds())
	if failures > 0 || ctx.Err() != nil {
		return 1
	}
	return 0
}

// readyInfo is msgraph-emulator's -ready-file.
type readyInfo struct {
	Endpoint string `json:"endpoint"`
	GroupID  string `json:"group_id"`
}

// checkMode runs the suite against one emulator process.
func checkMode(ctx context.Context, cfg config, binary, readyFile string, m conformance.Mode, stderr io.Writer) (time.Duration, *conformance.Report, []string) {
	started := time.Now()
	token := fmt.Sprintf("conformance-%d-%d", os.Getpid(), started.UnixNano())
	args := append([]string{"-listen", "127.0.0.1:0", "-ready-file", readyFile, "-token", token}, m.Args...)
	var emulatorLog strings.Builder
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, &emulatorLog
	if err := cmd.Start(); err != nil {
		return time.Since(started), nil, []string{"start msgraph-emulator: " + err.Error()}
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	defer stopEmulator(cmd, exited)

	info, err := waitReady(ctx, readyFile, exited)
	if err != nil {
		return time.Since(started), nil, []string{err.Error() + ": " + strings.TrimSpace(emulatorLog.String())}
	}
	opts := conformance.Options{
		Endpoint:       info.Endpoint,
		Token:          token,
		GroupID:        info.GroupID,
		CreateGroups:   true,
		Skip:           cfg.skip,
		Poll:           100 * time.Millisecond,
		MailboxPoll:    100 * time.Millisecond,
		VisibilityWait: 10 * time.Second,
		MailboxWait:    time.Minute,
		RetryBase:      50 * time.Millisecond,
		MaxRetryWait:   10 * time.Second,
		Timeout:        3 * time.Minute,
		CleanupTimeout: 30 * time.Second,
	}
	if cfg.verbose {
		opts.Log = stderr
	}
	report, err := conformance.Run(ctx, opts)
	if report == nil {
		return time.Since(started), nil, []string{err.Error()}
	}
	return time.Since(started), report, m.Check(report)
}

// waitReady waits for msgraph-emulator's ready file, at most 30 seconds.
func waitReady(ctx context.Context, path string, exited <-chan struct{}) (readyInfo, error) {
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if data, err := os.ReadFile(path); err == nil {
			var info readyInfo
			if err := json.Unmarshal(data, &info); err != nil {
				return info, fmt.Errorf("msgraph-emulator's ready file: %w", err)
			}
			return info, nil
		}
		select {
		case <-exited:
			return readyInfo{}, errors.New("msgraph-emulator exited before it was ready")
		case <-deadline.C:
			return readyInfo{}, errors.New("msgraph-emulator was not ready within 30s")
		case <-ctx.Done():
			return readyInfo{}, ctx.Err()
		case <-tick.C:
		}
	}
}

// stopEmulator asks the emulator to stop and kills it after 5 seconds.
func stopEmulator(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}
