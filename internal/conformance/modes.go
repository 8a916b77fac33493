package conformance

import (
	"fmt"
	"slices"
	"strings"
)

// Mode is one configuration of msgraph-emulator the suite must identify:
// run against an emulator started with Args, every behaviour the probes
// determine must agree with Args, and every flag in Args must be determined
// by some probe.
type Mode struct {
	Name string
	Args []string
}

// modeSeed fills each mode's group with enough conversations for the page
// probes to reach page caps of 100 and 10.
const modeSeed = "-seed-conversations=150"

// Modes are the emulator configurations `make conformance` checks, together
// covering every behaviour option the probes determine. Each runs all the
// probes, creating groups included.
func Modes() []Mode {
	return []Mode{
		{"defaults", []string{modeSeed}},
		{"page cap 100, lastDeliveredDateTime filter", []string{modeSeed, "-max-page-size=100", "-filter-last-delivered"}},
		{"$top caps the total", []string{modeSeed, "-top-caps-total"}},
		{"odata.maxpagesize honoured, page cap 10", []string{modeSeed, "-honour-maxpagesize-preference", "-max-page-size=10"}},
		{"newest first", []string{modeSeed, "-list-order=newest-first", "-posts-order=newest-first"}},
		{"Exchange topics", []string{modeSeed, "-normalise-topics", "-max-topic-length=253"}},
		{"sanitised HTML, text as HTML", []string{modeSeed, "-html-shape=sanitised", "-text-to-html"}},
		{"message HTML", []string{modeSeed, "-html-shape=message"}},
		{"new groups wait, 403 without a mailbox", []string{modeSeed, "-mailbox-delay=2s", "-non-unified-status=403"}},
	}
}

// FindMode returns the mode of that name.
func FindMode(name string) (Mode, bool) {
	i := slices.IndexFunc(Modes(), func(m Mode) bool { return strings.EqualFold(m.Name, name) })
	if i < 0 {
		return Mode{}, false
	}
	return Modes()[i], true
}

// Check compares a report of a run against an emulator started in this
// mode and lists every disagreement: a probe that failed, found no option,
// only an approximate one, or was skipped; a setting that disagrees with the
// mode's arguments; a flag of the mode no probe determined.
func (m Mode) Check(r *Report) []string {
	flags, err := parseEmulatorArgs(m.Args)
	if err != nil {
		return []string{fmt.Sprintf("mode %q: %v", m.Name, err)}
	}
	var problems []string
	problems = append(problems, r.Problems...)
	determined := map[string]bool{}
	for _, f := range r.Findings {
		switch f.Status {
		case Matched, Consistent:
		default:
			problems = append(problems, fmt.Sprintf("%s: %s: %s", f.Behaviour, f.Status, f.Observed))
			continue
		}
		for _, s := range f.Settings {
			if ok, why := flags.agrees(s); !ok {
				problems = append(problems, fmt.Sprintf("%s: %s (observed: %s)", f.Behaviour, why, f.Observed))
				continue
			}
			if !s.AtLeast {
				determined[s.Flag] = true
			}
		}
	}
	for _, name := range explicitFlags(flags) {
		if name != flagSeedConversations && !determined[name] {
			problems = append(problems, fmt.Sprintf("-%s is set but no probe determined it", name))
		}
	}
	if len(r.Cleanup.Left) > 0 {
		problems = append(problems, fmt.Sprintf("the clean-up left %d objects behind: %s", len(r.Cleanup.Left), strings.Join(r.Cleanup.Left, "; ")))
	}
	return problems
}
