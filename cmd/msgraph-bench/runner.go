package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

const providerAddress = "seed40294029/msgraph"

// bench holds what every workload shares: the CLI, the provider binary,
// the emulator and its groups.
type bench struct {
	cfg      config
	log      io.Writer
	work     string
	provider string // absolute path of the binary the CLI runs
	tfrc     string
	token    string
	emu      *emulator.Server
	endpoint string
	groupIDs []string
	// largeGroupID is the group of the large-mailbox workloads, which
	// holds cfg.largeMailbox conversations before each of their runs.
	largeGroupID string
	timeline     *timeline
}

// benchUser is the principal behind the bench's token.
var benchUser = emulator.Principal{DisplayName: "Bench User", Address: "bench.user@contoso.example"}

// startEmulator serves the in-process emulator on loopback with the
// session's latency and mailbox limit, and adds the groups.
func (b *bench) startEmulator() error {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	b.token = "bench-" + hex.EncodeToString(raw[:])
	b.timeline = &timeline{}
	b.emu = emulator.New(emulator.Options{
		Latency:            b.cfg.latency,
		MailboxConcurrency: b.cfg.mailboxLimit,
		RetryAfterSeconds:  b.cfg.retryAfter,
		Tokens:             map[string]emulator.Principal{b.token: benchUser},
		Seed:               1,
		LogRequest:         b.timeline.log,
	})
	for i := range max(b.cfg.groups, 1) {
		name := fmt.Sprintf("bench%02d", i+1)
		g := b.emu.AddGroup(emulator.Group{DisplayName: "Bench " + name, MailNickname: name, Mail: name + "@contoso.example",
			GroupTypes: []string{"Unified"}, MailEnabled: true})
		b.groupIDs = append(b.groupIDs, g.ID)
	}
	if b.cfg.largeMailbox > 0 {
		g := b.emu.AddGroup(emulator.Group{DisplayName: "Bench large mailbox", MailNickname: "benchlarge", Mail: "benchlarge@contoso.example",
			GroupTypes: []string{"Unified"}, MailEnabled: true})
		b.largeGroupID = g.ID
	}
	endpoint, err := b.emu.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	b.endpoint = endpoint
	return nil
}

// writeCLIConfig points the CLI at the provider binary with dev_overrides
// (no registry, no terraform init) in a configuration file of our own.
func (b *bench) writeCLIConfig() error {
	dir := filepath.Dir(b.provider)
	b.tfrc = filepath.Join(b.work, "cli.tfrc")
	return os.WriteFile(b.tfrc, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "registry.terraform.io/%[1]s" = %[2]q
    "registry.opentofu.org/%[1]s" = %[2]q
  }
  direct {}
}
`, providerAddress, dir), 0o644)
}

// cleanEnv drops the variables that would make a CLI run depend on the
// caller's shell: Terraform's own, the provider's (ARM_*), and the bench
// switches.
func cleanEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		for _, prefix := range []string{"TF_", "ARM_", "MSGRAPH_", "CHECKPOINT_", "PLUGIN_"} {
			if strings.HasPrefix(name, prefix) {
				return true
			}
		}
		return false
	})
}

func (b *bench) cliEnv(extra ...[]string) []string {
	env := append(cleanEnv(os.Environ()),
		"TF_CLI_CONFIG_FILE="+b.tfrc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"ARM_MSGRAPH_ENDPOINT="+b.endpoint,
		"ARM_ACCESS_TOKEN="+b.token,
	)
	for _, e := range extra {
		env = append(env, e...)
	}
	env = append(env, b.cfg.extraEnv...)
	if b.cfg.cpuProfileDir != "" {
		env = append(env, "MSGRAPH_PROVIDER_PROFILE_DIR="+b.cfg.cpuProfileDir)
	}
	return env
}

// configuration renders the workload's Terraform configuration: n
// conversations spread round-robin over the groups in var.group_ids.
func configuration(w *workload, p phase, extraAttrs []string) string {
	attrs := maps.Clone(w.providerAttrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	maps.Copy(attrs, p.providerAttrs)
	for _, kv := range extraAttrs {
		name, value, _ := strings.Cut(kv, "=")
		attrs[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	var provider strings.Builder
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		fmt.Fprintf(&provider, "  %s = %s\n", name, attrs[name])
	}
	return fmt.Sprintf(`terraform {
  required_providers {
    msgraph = {
      source = %q
    }
  }
}

# endpoint and access_token come from ARM_MSGRAPH_ENDPOINT and ARM_ACCESS_TOKEN.
provider "msgraph" {
%s}

variable "group_ids" {
  type = list(string)
}

resource "msgraph_group_conversation" "bench" {
  count    = %d
  group_id = var.group_ids[count.index %% length(var.group_ids)]
  topic    = "Bench conversation ${count.index}"
  body = {
    content = "<p>Conversation ${count.index} of the make bench workload.</p>"
  }
}
`, providerAddress, provider.String(), w.n)
}

func (b *bench) groupVars(w *workload) string {
	ids := b.groupIDs[:min(max(w.groups, 1), len(b.groupIDs))]
	if w.seeded > 0 {
		ids = []string{b.largeGroupID}
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = strconv.Quote(id)
	}
	return "group_ids = [" + strings.Join(quoted, ", ") + "]\n"
}

// runWorkload runs one repetition of a workload's phases in a fresh
// working directory, and leaves the emulator without conversations.
func (b *bench) runWorkload(ctx context.Context, s *session, w *workload, run, runs int) error {
	dir := filepath.Join(b.work, fmt.Sprintf("%s-run%d", w.id, run))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.auto.tfvars"), []byte(b.groupVars(w)), 0o644); err != nil {
		return err
	}
	defer func() {
		if left := b.wipe() - w.seeded; left > 0 && !w.allowFailures {
			fmt.Fprintf(b.log, "  note: %d conversations were left in the emulator after %s run %d; removed\n", left, w.id, run)
		}
	}()
	if w.seeded > 0 {
		// Seeded before the apply, so the managed conversations are the
		// newest: last in creation order, first when listed newest first.
		if _, err := b.emu.SeedConversations(b.largeGroupID, w.seeded, benchUser); err != nil {
			return err
		}
	}
	for i, p := range w.phases {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(configuration(w, p, b.cfg.providerAttrs)), 0o644); err != nil {
			return err
		}
		if p.forgetPrivateState {
			if err := forgetPrivateState(filepath.Join(dir, "terraform.tfstate")); err != nil {
				return err
			}
		}
		r := b.runPhase(ctx, w, p, dir, i)
		s.add(w, p, r)
		status := "ok"
		if r.err != "" {
			status = "FAILED: " + firstLine(r.err)
		}
		fmt.Fprintf(b.log, "  %-5s run %d/%d %-8s %6.2fs  %4d requests  %3d×429  rss %s  %s\n", w.id, run, runs, p.name(),
			r.wall.Seconds(), r.counters["requests.total"], r.counters["status.429"], formatMB(r.peakRSS), status)
	}
	return nil
}

// runPhase runs one CLI command and measures it.
func (b *bench) runPhase(ctx context.Context, w *workload, p phase, dir string, index int) phaseResult {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.commandTimeout)
	defer cancel()
	args := append([]string{"-chdir=" + dir}, p.kind.args...)
	args = append(args, "-parallelism="+strconv.Itoa(w.parallelism))
	cmd := exec.CommandContext(ctx, b.cfg.cli, args...)
	cmd.Env = b.cliEnv(w.env, p.env)
	logPath := filepath.Join(dir, fmt.Sprintf("%d-%s.log", index+1, strings.ReplaceAll(p.name(), " ", "_")))
	logFile, err := os.Create(logPath)
	if err != nil {
		return phaseResult{err: err.Error()}
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The CLI and the providers it starts form one process group, so a
	// timeout kills them all.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second

	latency := b.cfg.latency
	if w.latency != nil {
		latency = *w.latency
	}
	b.emu.SetLatency(latency)
	if p.service != nil {
		b.emu.SetBehaviour(p.service.behaviour)
		b.emu.SetMaxPageSize(p.service.maxPageSize)
		defer func() {
			b.emu.SetBehaviour(emulator.Behaviour{})
			b.emu.SetMaxPageSize(0)
		}()
	}
	b.emu.ResetCounters()
	b.timeline.reset()
	busy0, busyOK := machineBusy()
	self0 := selfCPU()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return phaseResult{err: err.Error()}
	}
	watch := watchProviders(cmd.Process.Pid, b.provider, b.cfg.pollInterval)
	waitErr := cmd.Wait()
	end := time.Now()
	r := phaseResult{wall: end.Sub(start)}
	r.peakRSS, r.providers, r.cpuProvider = watch.finish()
	r.counters = b.emu.Counters()
	r.graph = b.timeline.stats(start, end)
	if st := cmd.ProcessState; st != nil {
		// The CLI's rusage includes the provider processes it waited for.
		total := st.UserTime() + st.SystemTime()
		r.cpuCLI = max(total-r.cpuProvider, 0)
		if busy1, ok := machineBusy(); ok && busyOK && r.wall > 0 {
			others := busy1 - busy0 - total - (selfCPU() - self0)
			r.otherLoad = max(others.Seconds()/r.wall.Seconds(), 0)
		}
	}
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	switch {
	case ctx.Err() != nil:
		r.err = fmt.Sprintf("timed out after %s%s", b.cfg.commandTimeout, b.logNote(logPath))
	case waitErr != nil && !isExitError(waitErr):
		r.err = waitErr.Error()
	case !p.kind.ok(code):
		r.err = fmt.Sprintf("%s exited with %d%s: %s", p.kind.args[0], code, b.logNote(logPath), errorSummary(logPath))
	}
	return r
}

// logNote names the CLI's log when it outlives the session (-keep).
func (b *bench) logNote(logPath string) string {
	if !b.cfg.keep {
		return ""
	}
	return " (log " + logPath + ")"
}

func isExitError(err error) bool {
	var exit *exec.ExitError
	return errors.As(err, &exit)
}

// errorSummary picks the first "Error:" line of a CLI log, or its last
// line.
func errorSummary(logPath string) string {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	errorsSeen, first := 0, ""
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "Error:") {
			if errorsSeen == 0 {
				first = strings.TrimSpace(l)
			}
			errorsSeen++
		}
	}
	switch {
	case errorsSeen == 1:
		return first + graphCauses(lines)
	case errorsSeen > 1:
		return fmt.Sprintf("%s (and %d more errors)%s", first, errorsSeen-1, graphCauses(lines))
	case len(lines) > 0:
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return ""
}

// graphCauses counts the Graph errors the provider's diagnostics name
// ("HTTP status: 400", "Graph error code: BadRequest", "Graph error
// message: ..."), e.g. "; Graph answered: 14 × HTTP 400 BadRequest (The
// request body is ...)".
func graphCauses(lines []string) string {
	counts := map[string]int{}
	var order []string
	for i, l := range lines {
		status, ok := strings.CutPrefix(strings.TrimSpace(l), "HTTP status: ")
		if !ok {
			continue
		}
		cause := "HTTP " + status
		for _, next := range lines[i+1 : min(i+3, len(lines))] {
			next = strings.TrimSpace(next)
			if code, ok := strings.CutPrefix(next, "Graph error code: "); ok {
				cause += " " + code
			}
			if msg, ok := strings.CutPrefix(next, "Graph error message: "); ok {
				cause += " (" + msg + "…)"
			}
		}
		if counts[cause] == 0 {
			order = append(order, cause)
		}
		counts[cause]++
	}
	if len(order) == 0 {
		return ""
	}
	parts := make([]string, len(order))
	for i, c := range order {
		parts[i] = fmt.Sprintf("%d × %s", counts[c], c)
	}
	return "; Graph answered: " + strings.Join(parts, ", ")
}

// wipe deletes every conversation left in the emulator and says how many
// there were.
func (b *bench) wipe() int {
	n := 0
	groups := b.groupIDs
	if b.largeGroupID != "" {
		groups = append(slices.Clone(groups), b.largeGroupID)
	}
	for _, g := range groups {
		for _, c := range b.emu.Conversations(g) {
			if b.emu.DeleteConversation(g, c.ID) {
				n++
			}
		}
	}
	return n
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// forgetPrivateState removes every resource instance's private state from
// a local state file, as if an older provider version had written it.
func forgetPrivateState(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	resources, _ := state["resources"].([]any)
	for _, r := range resources {
		resource, _ := r.(map[string]any)
		instances, _ := resource["instances"].([]any)
		for _, i := range instances {
			if instance, ok := i.(map[string]any); ok {
				delete(instance, "private")
			}
		}
	}
	out, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
