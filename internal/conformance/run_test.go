package conformance

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// TestCheckCatchesTheWrongMode runs the suite once against the emulator's
// defaults and checks the report against every other mode: each flag a mode
// sets must be caught as disagreeing, so the probes tell every mode from the
// defaults.
func TestCheckCatchesTheWrongMode(t *testing.T) {
	t.Parallel()
	tg := startEmulator(t, Modes()[0].Args)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := Run(ctx, tg.options())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modes()[1:] {
		problems := strings.Join(m.Check(r), "\n")
		flags, err := parseEmulatorArgs(m.Args)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range explicitFlags(flags) {
			if name == flagSeedConversations {
				continue
			}
			if !strings.Contains(problems, "-"+name+" ") {
				t.Errorf("mode %q: checking a run of the defaults did not catch -%s; problems:\n%s", m.Name, name, problems)
			}
		}
	}
}

// countingTransport counts requests and calls onRequest with each count.
type countingTransport struct {
	base      http.RoundTripper
	n         atomic.Int64
	onRequest func(n int64, req *http.Request)
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	n := c.n.Add(1)
	if c.onRequest != nil {
		c.onRequest(n, req)
	}
	return c.base.RoundTrip(req)
}

// TestInterruptedRunCleansUp cancels runs part way, as an interrupt does,
// and checks that the clean-up still deletes everything they created.
func TestInterruptedRunCleansUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		skip   []string
		afterN int64
		// mailboxDelay applies to groups the run creates, not to the
		// group it probes.
		mailboxDelay time.Duration
	}{
		{name: "among the probes", args: []string{"-seed-conversations=5"}, afterN: 60},
		{name: "while waiting for a new group's mailbox", args: []string{"-seed-conversations=5"}, mailboxDelay: time.Minute,
			skip: slices.DeleteFunc(ProbeIDs(), func(id string) bool { return id == "mailbox-delay" }), afterN: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tg := startEmulator(t, tt.args)
			tg.srv.SetBehaviour(emulator.Behaviour{MailboxDelay: tt.mailboxDelay})
			opts := tg.options()
			opts.Skip = tt.skip
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var maxGroups int
			opts.Transport = &countingTransport{base: http.DefaultTransport, onRequest: func(n int64, _ *http.Request) {
				if n == tt.afterN {
					maxGroups = tg.groupCount(t)
					cancel()
				}
			}}
			r, err := Run(ctx, opts)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %v, want the cancellation", err)
			}
			if got := len(tg.srv.Conversations(tg.groupID)); got != tg.seeded {
				t.Errorf("the group holds %d conversations after the clean-up, want the %d seeded; clean-up %+v", got, tg.seeded, r.Cleanup)
			}
			if got := tg.groupCount(t); got != 1 {
				t.Errorf("%d groups after the clean-up, want 1; clean-up %+v", got, r.Cleanup)
			}
			if r.Cleanup.Conversations+r.Cleanup.Groups == 0 {
				t.Errorf("the clean-up deleted nothing: the run was cancelled before it created anything (%d groups when cancelled)\n%s", maxGroups, r.Markdown())
			}
			if len(r.Cleanup.Left) > 0 {
				t.Errorf("left behind: %q", r.Cleanup.Left)
			}
		})
	}
}

// TestRunTouchesNothingElse runs the suite in a group that already holds
// conversations, one of them from another run of the tool and one with a
// locked thread, while some creates are applied but never answered: the
// clean-up sweeps what the run created unseen and leaves the rest alone.
func TestRunTouchesNothingElse(t *testing.T) {
	t.Parallel()
	tg := startEmulator(t, []string{"-seed-conversations=20"})
	other, err := tg.srv.SeedConversation(tg.groupID, "msgraph-conformance ffffff list order A", emulator.ItemBody{ContentType: "text", Content: "x"}, nil, testUser)
	if err != nil {
		t.Fatal(err)
	}
	locked, err := tg.srv.SeedConversation(tg.groupID, "Team announcements", emulator.ItemBody{ContentType: "html", Content: "<p>Read only</p>"}, nil, testUser)
	if err != nil {
		t.Fatal(err)
	}
	tg.srv.SetThreadLocked(tg.groupID, locked.ThreadIDs[0], true)
	before := tg.srv.Conversations(tg.groupID)
	tg.srv.SetFaults(emulator.Faults{DropAfterCreateEvery: 5})

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts := tg.options()
	opts.RunID = "abcdef"
	r, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Cleanup.Swept == 0 {
		t.Errorf("the sweep found nothing, though every fifth create went unanswered (%d answered 0?)", tg.srv.Counters()["faults.dropped"])
	}
	after := tg.srv.Conversations(tg.groupID)
	if !slices.EqualFunc(before, after, func(a, b emulator.Conversation) bool { return a.ID == b.ID && a.Topic == b.Topic }) {
		t.Errorf("the group's conversations changed:\nbefore %d: %v\nafter %d: %v", len(before), topics(before), len(after), topics(after))
	}
	if th, _ := tg.srv.Thread(tg.groupID, locked.ThreadIDs[0]); !th.IsLocked || len(th.PostIDs) != 1 {
		t.Errorf("the locked thread changed: %+v", th)
	}
	if _, ok := tg.srv.Conversation(tg.groupID, other.ID); !ok {
		t.Errorf("the other run's conversation was deleted")
	}
}

func topics(cs []emulator.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Topic
	}
	return out
}

// TestRequestBudget stops a run that would send more than its budget; the
// clean-up still runs.
func TestRequestBudget(t *testing.T) {
	t.Parallel()
	tg := startEmulator(t, []string{"-seed-conversations=5"})
	opts := tg.options()
	opts.MaxRequests = 40
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	spent := 0
	for _, f := range r.Findings {
		if f.Status == Failed && strings.Contains(f.Observed, "budget of 40 requests is spent") {
			spent++
		}
	}
	if spent == 0 {
		t.Errorf("no probe reported the spent budget")
	}
	if r.OK() {
		t.Errorf("a run whose probes failed reports OK")
	}
	if got := len(tg.srv.Conversations(tg.groupID)); got != tg.seeded || len(r.Cleanup.Left) > 0 {
		t.Errorf("after the clean-up: %d conversations (want %d), left %q", got, tg.seeded, r.Cleanup.Left)
	}
	if r.Requests <= 40 {
		t.Errorf("requests = %d: the clean-up must be allowed past the budget", r.Requests)
	}
}

// TestReportHidesTheTenant checks that the report, meant for a public
// issue, names neither the group nor the signed-in user.
func TestReportHidesTheTenant(t *testing.T) {
	t.Parallel()
	tg := startEmulator(t, []string{"-seed-conversations=5"})
	opts := tg.options()
	opts.Skip = []string{"posts", "html", "text", "topics", "mailbox-delay", "non-unified"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	md := r.Markdown()
	for _, secret := range []string{tg.groupID, strings.ToUpper(tg.groupID), testUser.Address, "contoso.example"} {
		if strings.Contains(md, secret) {
			t.Errorf("the report shows %q:\n%s", secret, md)
		}
	}
	if !strings.Contains(md, "user@tenant.example") {
		t.Errorf("the recipients rows do not show the placeholder:\n%s", md)
	}
}

func TestOptionsRefuseBadInput(t *testing.T) {
	t.Parallel()
	good := Options{Token: "t", GroupID: "6f1c1b2e-3f4a-4b5c-8d6e-7f8091a2b3c4"}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no token", func(o *Options) { o.Token = " " }, "no token"},
		{"group id not a GUID", func(o *Options) { o.GroupID = "team" }, "not a GUID"},
		{"unknown probe", func(o *Options) { o.Skip = []string{"paging"} }, `no probe "paging"`},
		{"recipient not an address", func(o *Options) { o.Recipients = []string{"adele"} }, "not an email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := good
			tt.change(&o)
			if _, err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
