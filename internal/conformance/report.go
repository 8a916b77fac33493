package conformance

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Status is how a finding relates to the emulator.
type Status int

const (
	// Matched: an emulator option (or, where the emulator has none, its
	// only behaviour) reproduces exactly what the service did.
	Matched Status = iota
	// Consistent: the probe could only bound the behaviour (too few
	// conversations to reach a page cap, a wait that ran out); the options
	// shown agree with the bound.
	Consistent
	// Approximate: the closest option is shown, but the service's answer
	// differs in detail.
	Approximate
	// Unmatched: no emulator option reproduces what the service did.
	Unmatched
	// Skipped: the probe did not run (not enabled, or skipped on request).
	Skipped
	// Failed: the probe could not finish.
	Failed
)

var statusWords = []string{Matched: "matches", Consistent: "consistent", Approximate: "closest", Unmatched: "no option",
	Skipped: "skipped", Failed: "failed"}

func (s Status) String() string {
	if int(s) < len(statusWords) {
		return statusWords[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Finding is one row of the report: one behaviour, what the service did,
// and the emulator options that reproduce it.
type Finding struct {
	// Probe is the probe's id (see Probes), as -skip takes it.
	Probe string
	// Behaviour names what was probed.
	Behaviour string
	// Observed says what the service did, in one line.
	Observed string
	Status   Status
	// Settings are the emulator options this finding determines; for
	// Approximate, the closest ones.
	Settings []Setting
	// Note replaces the rendered settings in the option column, for
	// behaviours the emulator has no option for.
	Note string
	// Details are lines for the report's details section: full stored
	// bodies, raw answers.
	Details []string
}

// Report is the outcome of a run.
type Report struct {
	Endpoint string
	RunID    string
	Started  time.Time
	Duration time.Duration
	// Requests counts every request sent, retries included; Throttled the
	// 429 answers among them.
	Requests  int
	Throttled int
	Findings  []Finding
	Cleanup   Cleanup
	// Problems are errors that ended the run or a probe early.
	Problems []string
	// Build describes the tool (its VCS revision, when known).
	Build string
	// redact maps values that identify the tenant (group id, addresses)
	// to placeholders; Markdown applies it.
	redact map[string]string
}

// OK reports a run whose every probe finished and whose clean-up left
// nothing behind. Unmatched behaviour is a result, not a failure.
func (r *Report) OK() bool {
	if len(r.Problems) > 0 || len(r.Cleanup.Left) > 0 {
		return false
	}
	for _, f := range r.Findings {
		if f.Status == Failed {
			return false
		}
	}
	return true
}

// EmulatorArgs are the msgraph-emulator arguments that reproduce the
// service, from the findings that matched or bound a behaviour; defaults
// and bounds are left out.
func (r *Report) EmulatorArgs() []string {
	flags := newEmulatorFlags()
	seen := map[string]bool{}
	var args []string
	for _, f := range r.Findings {
		if f.Status != Matched && f.Status != Consistent {
			continue
		}
		for _, s := range f.Settings {
			if a := flags.argument(s); a != "" && !seen[a] {
				seen[a] = true
				args = append(args, a)
			}
		}
	}
	sort.Strings(args)
	return args
}

// Markdown renders the report for a GitHub issue: a header, the table, the
// emulator command line that reproduces the service, the clean-up, and the
// details. Values that identify the tenant are replaced by placeholders.
func (r *Report) Markdown() string {
	flags := newEmulatorFlags()
	var b strings.Builder
	fmt.Fprintf(&b, "## msgraph-conformance report\n\n")
	fmt.Fprintf(&b, "- Service: %s; run %s, %s UTC, %s; %d requests, %d answered 429.\n", r.Endpoint, r.RunID,
		r.Started.UTC().Format("2006-01-02 15:04"), r.Duration.Round(time.Second), r.Requests, r.Throttled)
	if r.Build != "" {
		fmt.Fprintf(&b, "- Tool: %s.\n", r.Build)
	}
	b.WriteString("\n| Behaviour | What the service did | msgraph-emulator option | |\n|---|---|---|---|\n")
	for _, f := range r.Findings {
		option := f.Note
		if len(f.Settings) > 0 {
			parts := make([]string, len(f.Settings))
			for i, s := range f.Settings {
				parts[i] = "`" + flags.render(s) + "`"
			}
			option = strings.Join(parts, ", ")
			if f.Note != "" {
				option += "; " + f.Note
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(f.Behaviour), cell(f.Observed), cell(option), f.Status)
	}
	if args := r.EmulatorArgs(); len(args) > 0 {
		fmt.Fprintf(&b, "\nThe emulator behaves like this service with: `msgraph-emulator %s`\n", joinArgs(args))
	} else {
		b.WriteString("\nThe emulator behaves like this service with its defaults.\n")
	}
	c := r.Cleanup
	fmt.Fprintf(&b, "\nClean-up: deleted %d conversations and %d groups", c.Conversations, c.Groups)
	if c.Swept > 0 {
		fmt.Fprintf(&b, ", and %d conversations found by the run's marker after an unanswered create", c.Swept)
	}
	if len(c.Left) == 0 {
		b.WriteString("; nothing left behind.\n")
	} else {
		b.WriteString(". **Left behind** (delete these by hand):\n\n")
		for _, l := range c.Left {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	if len(r.Problems) > 0 {
		b.WriteString("\nProblems:\n\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "- %s\n", p)
		}
	}
	var details strings.Builder
	for _, f := range r.Findings {
		if len(f.Details) == 0 {
			continue
		}
		fmt.Fprintf(&details, "\n**%s**\n\n", f.Behaviour)
		for _, d := range f.Details {
			details.WriteString(d)
			details.WriteString("\n")
		}
	}
	if details.Len() > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Details</summary>\n%s\n</details>\n", details.String())
	}
	return r.applyRedactions(b.String())
}

func (r *Report) addRedaction(value, placeholder string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	if r.redact == nil {
		r.redact = map[string]string{}
	}
	r.redact[value] = placeholder
}

// applyRedactions replaces every redacted value, longest first so that an
// address is replaced before its domain, ignoring case (addresses and GUIDs
// compare case-insensitively).
func (r *Report) applyRedactions(s string) string {
	values := make([]string, 0, len(r.redact))
	for v := range r.redact {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		s = regexp.MustCompile("(?i)"+regexp.QuoteMeta(v)).ReplaceAllLiteralString(s, r.redact[v])
	}
	return s
}

// cell makes text safe inside a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", `\r`)
	return strings.ReplaceAll(s, "\n", `\n`)
}

// excerpt shortens s to n runes for a table cell, showing line breaks.
func excerpt(s string, n int) string {
	s = strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n]) + "…"
}

// codeBlock quotes text for the details section.
func codeBlock(label, text string) string {
	fence := "```"
	for strings.Contains(text, fence) {
		fence += "`"
	}
	return fmt.Sprintf("%s:\n\n%s\n%s\n%s\n", label, fence, text, fence)
}
