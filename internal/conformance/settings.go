package conformance

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// Setting is one msgraph-emulator option as a probe determined it.
type Setting struct {
	// Flag is the msgraph-emulator flag, without its dash.
	Flag string
	// Value is the flag's value, spelt as the flag takes it.
	Value string
	// AtLeast marks Value as a lower bound of an integer option: the probe
	// saw no more than that, the service may allow more.
	AtLeast bool
	// Within is the precision of a measured duration: the option's value is
	// Value ± Within.
	Within time.Duration
}

func exactly(flagName string, value any) Setting {
	return Setting{Flag: flagName, Value: fmt.Sprint(value)}
}

// The msgraph-emulator flags the probes name. Behaviour.RegisterFlags
// defines the behaviour flags; page size, page cap and seeding are the
// command's own.
const (
	flagPageSize          = "page-size"
	flagMaxPageSize       = "max-page-size"
	flagSeedConversations = "seed-conversations"
	flagTopCapsTotal      = "top-caps-total"
	flagHonourPreference  = "honour-maxpagesize-preference"
	flagListOrder         = "list-order"
	flagPostsOrder        = "posts-order"
	flagNormaliseTopics   = "normalise-topics"
	flagMaxTopicLength    = "max-topic-length"
	flagHTMLShape         = "html-shape"
	flagTextToHTML        = "text-to-html"
	flagMailboxDelay      = "mailbox-delay"
	flagNonUnifiedStatus  = "non-unified-status"
	flagFilterDelivered   = "filter-last-delivered"
)

// emulatorFlags is a flag set with the msgraph-emulator flags the probes
// determine, with the command's defaults. It reads a mode's arguments and
// gives each flag's default for the report.
type emulatorFlags struct {
	fs                *flag.FlagSet
	behaviour         emulator.Behaviour
	pageSize          int
	maxPageSize       int
	seedConversations int
}

func newEmulatorFlags() *emulatorFlags {
	f := &emulatorFlags{fs: flag.NewFlagSet("msgraph-emulator", flag.ContinueOnError)}
	f.fs.SetOutput(io.Discard)
	f.fs.IntVar(&f.pageSize, flagPageSize, 10, "")
	f.fs.IntVar(&f.maxPageSize, flagMaxPageSize, 1000, "")
	f.fs.IntVar(&f.seedConversations, flagSeedConversations, 0, "")
	f.behaviour.RegisterFlags(f.fs)
	return f
}

// parseEmulatorArgs reads msgraph-emulator arguments.
func parseEmulatorArgs(args []string) (*emulatorFlags, error) {
	f := newEmulatorFlags()
	if err := f.fs.Parse(args); err != nil {
		return nil, err
	}
	if f.fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", f.fs.Args())
	}
	return f, nil
}

func (f *emulatorFlags) value(name string) (string, bool) {
	fl := f.fs.Lookup(name)
	if fl == nil {
		return "", false
	}
	return fl.Value.String(), true
}

func (f *emulatorFlags) defaultOf(name string) string {
	if fl := f.fs.Lookup(name); fl != nil {
		return fl.DefValue
	}
	return ""
}

// isBool reports a boolean flag, written without a value when true.
func (f *emulatorFlags) isBool(name string) bool {
	fl := f.fs.Lookup(name)
	if fl == nil {
		return false
	}
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// render spells a setting for the report: the flag as a user types it, and
// whether that is the emulator's default.
func (f *emulatorFlags) render(s Setting) string {
	def := f.defaultOf(s.Flag)
	switch {
	case s.AtLeast:
		out := fmt.Sprintf("-%s ≥ %s", s.Flag, s.Value)
		if d, err := parseQuantity(def); err == nil {
			if v, err := parseQuantity(s.Value); err == nil && d >= v {
				out += fmt.Sprintf(" (the default, %s, fits)", def)
			}
		}
		return out
	case s.Within > 0:
		return fmt.Sprintf("-%s=%s (± %s)", s.Flag, s.Value, s.Within)
	case f.isBool(s.Flag) && s.Value == "true":
		return "-" + s.Flag
	case f.isBool(s.Flag):
		return "no -" + s.Flag + " (the default)"
	case s.Value == def:
		return fmt.Sprintf("-%s=%s (the default)", s.Flag, s.Value)
	}
	return fmt.Sprintf("-%s=%s", s.Flag, s.Value)
}

// argument is the setting as a msgraph-emulator argument, or "" when it is
// the default or only a bound.
func (f *emulatorFlags) argument(s Setting) string {
	if s.AtLeast || s.Value == f.defaultOf(s.Flag) {
		return ""
	}
	if f.isBool(s.Flag) && s.Value == "true" {
		return "-" + s.Flag
	}
	return fmt.Sprintf("-%s=%s", s.Flag, s.Value)
}

// agrees reports whether a setting a probe determined agrees with the
// value a mode set, and says how it does not.
func (f *emulatorFlags) agrees(s Setting) (bool, string) {
	set, ok := f.value(s.Flag)
	if !ok {
		return false, fmt.Sprintf("-%s is not a msgraph-emulator flag", s.Flag)
	}
	switch {
	case s.AtLeast:
		bound, err1 := parseQuantity(s.Value)
		have, err2 := parseQuantity(set)
		if err1 != nil || err2 != nil {
			return false, fmt.Sprintf("-%s: cannot compare %q with %q", s.Flag, s.Value, set)
		}
		if have < bound {
			return false, fmt.Sprintf("-%s is %s but the probe saw at least %s", s.Flag, set, s.Value)
		}
	case s.Within > 0:
		measured, err1 := time.ParseDuration(s.Value)
		have, err2 := time.ParseDuration(set)
		if err1 != nil || err2 != nil {
			return false, fmt.Sprintf("-%s: cannot compare %q with %q", s.Flag, s.Value, set)
		}
		if d := measured - have; d > s.Within || -d > s.Within {
			return false, fmt.Sprintf("-%s is %s but the probe measured %s ± %s", s.Flag, have, measured, s.Within)
		}
	case set != s.Value:
		return false, fmt.Sprintf("-%s is %s but the probe found %s", s.Flag, set, s.Value)
	}
	return true, ""
}

// parseQuantity reads an integer or a duration (as nanoseconds), the two
// kinds of value a bound can have.
func parseQuantity(v string) (int64, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	d, err := time.ParseDuration(v)
	return int64(d), err
}

// explicitFlags lists the flags an argument list sets, in order.
func explicitFlags(f *emulatorFlags) []string {
	var names []string
	f.fs.Visit(func(fl *flag.Flag) { names = append(names, fl.Name) })
	slices.Sort(names)
	return names
}

// joinArgs renders arguments for a shell.
func joinArgs(args []string) string {
	return strings.Join(args, " ")
}
