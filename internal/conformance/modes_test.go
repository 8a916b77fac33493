package conformance

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestModesAreIdentified is make conformance in process: the suite, run
// against an emulator in each mode, must identify exactly that mode, and
// leave the emulator as it found it.
func TestModesAreIdentified(t *testing.T) {
	t.Parallel()
	for _, m := range Modes() {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			tg := startEmulator(t, m.Args)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			r, err := Run(ctx, tg.options())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if problems := m.Check(r); len(problems) > 0 {
				t.Errorf("mode %q was not identified:\n  %s\n%s", m.Name, strings.Join(problems, "\n  "), r.Markdown())
			}
			if got := len(tg.srv.Conversations(tg.groupID)); got != tg.seeded {
				t.Errorf("the group holds %d conversations after the run, want the %d seeded", got, tg.seeded)
			}
			if got := tg.groupCount(t); got != 1 {
				t.Errorf("the emulator holds %d groups after the run, want 1", got)
			}
			if len(r.Cleanup.Left) != 0 || r.Cleanup.Groups != 2 {
				t.Errorf("clean-up = %+v, want the 2 groups deleted and nothing left", r.Cleanup)
			}
			if testing.Verbose() {
				t.Logf("%s", r.Markdown())
			}
		})
	}
}
