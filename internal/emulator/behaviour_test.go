package emulator

import (
	"flag"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// everyChoice sets every Behaviour field away from its default.
var everyChoice = Behaviour{
	TopCapsTotal:                true,
	ListOrder:                   NewestFirst,
	HonourMaxPageSizePreference: true,
	NormaliseTopics:             true,
	MaxTopicLength:              ExchangeMaxTopicLength,
	HTMLShape:                   HTMLSanitised,
	TextToHTML:                  true,
	MailboxDelay:                90 * time.Second,
	NonUnifiedStatus:            403,
	PostsOrder:                  NewestFirst,
	FilterLastDelivered:         true,
}

func TestBehaviourFieldsAllHaveFlags(t *testing.T) {
	t.Parallel()
	// A field added to Behaviour without a flag would be invisible to the
	// command and to tools printing Flags: everyChoice must set every field,
	// and each must come out as exactly one flag.
	v := reflect.ValueOf(everyChoice)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("everyChoice leaves %s at its zero value; set it so its flag is tested", v.Type().Field(i).Name)
		}
	}
	if got := len(everyChoice.Flags()); got != v.NumField() {
		t.Errorf("Flags() = %d flags for %d fields: %v", got, v.NumField(), everyChoice.Flags())
	}
}

func TestBehaviourFlagsRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Behaviour
		want []string
	}{
		{"zero value has no flags", Behaviour{}, nil},
		{"404 is the default status", Behaviour{NonUnifiedStatus: 404}, nil},
		{"one choice", Behaviour{ListOrder: NewestFirst}, []string{"-list-order=newest-first"}},
		{"every choice", everyChoice, []string{
			"-top-caps-total=true", "-list-order=newest-first", "-honour-maxpagesize-preference=true",
			"-normalise-topics=true", "-max-topic-length=253", "-html-shape=sanitised", "-text-to-html=true",
			"-mailbox-delay=1m30s", "-non-unified-status=403", "-posts-order=newest-first",
			"-filter-last-delivered=true",
		}},
		{"message shape", Behaviour{HTMLShape: HTMLMessage}, []string{"-html-shape=message"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.in.Flags()
			if !slices.Equal(args, tt.want) {
				t.Errorf("Flags() = %q, want %q", args, tt.want)
			}
			var parsed Behaviour
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			parsed.RegisterFlags(fs)
			if err := fs.Parse(args); err != nil {
				t.Fatalf("parse %q: %v", args, err)
			}
			if want := tt.in.normalised(); parsed != want {
				t.Errorf("parsed %q into %+v, want %+v", args, parsed, want)
			}
		})
	}
}

func TestBehaviourFlagsRejectUnknownValues(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-list-order=random"},
		{"-posts-order=oldest"},
		{"-html-shape=raw"},
		{"-mailbox-delay=soon"},
	} {
		var b Behaviour
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		b.RegisterFlags(fs)
		if err := fs.Parse(args); err == nil {
			t.Errorf("parse %q: no error", args)
		}
	}
}

func TestBehaviourValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      Behaviour
		wantErr string
	}{
		{"zero", Behaviour{}, ""},
		{"every choice", everyChoice, ""},
		{"status 404", Behaviour{NonUnifiedStatus: 404}, ""},
		{"status 400", Behaviour{NonUnifiedStatus: 400}, "NonUnifiedStatus"},
		{"list order", Behaviour{ListOrder: 7}, "ListOrder"},
		{"posts order", Behaviour{PostsOrder: -1}, "PostsOrder"},
		{"shape", Behaviour{HTMLShape: 3}, "HTMLShape"},
		{"topic length", Behaviour{MaxTopicLength: -1}, "MaxTopicLength"},
		{"mailbox delay", Behaviour{MailboxDelay: -time.Second}, "MailboxDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.in.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate() = %v, want an error mentioning %q", err, tt.wantErr)
			}
			if got := tt.in.normalised(); got.Validate() != nil {
				t.Errorf("normalised() = %+v does not validate: %v", got, got.Validate())
			}
		})
	}
}

func TestEnumText(t *testing.T) {
	t.Parallel()
	if got := NewestFirst.String(); got != "newest-first" {
		t.Errorf("NewestFirst = %q", got)
	}
	if got := HTMLMessage.String(); got != "message" {
		t.Errorf("HTMLMessage = %q", got)
	}
	if got := Order(9).String(); got != "9" {
		t.Errorf("Order(9) = %q", got)
	}
	if _, err := HTMLShape(-1).MarshalText(); err == nil {
		t.Error("HTMLShape(-1).MarshalText() succeeded")
	}
	var o Order
	if err := o.UnmarshalText([]byte("newest-first")); err != nil || o != NewestFirst {
		t.Errorf("UnmarshalText = %v, %v", o, err)
	}
}

func TestOptionsReportsSettersChanges(t *testing.T) {
	t.Parallel()
	srv := New(Options{PageSize: 5, Behaviour: Behaviour{ListOrder: NewestFirst, NonUnifiedStatus: 7}})
	got := srv.Options()
	if got.MaxPageSize != 1000 || got.PageSize != 5 {
		t.Errorf("page sizes = %d, %d, want 1000 and 5", got.MaxPageSize, got.PageSize)
	}
	// An invalid status is taken as the default, and Options says so.
	if want := (Behaviour{ListOrder: NewestFirst, NonUnifiedStatus: 404}); got.Behaviour != want {
		t.Errorf("Behaviour = %+v, want %+v", got.Behaviour, want)
	}

	srv.SetMaxPageSize(100)
	srv.SetBehaviour(everyChoice)
	srv.SetLatency(time.Millisecond)
	srv.SetFaults(Faults{Statuses: []int{503}, Every: 3})
	srv.SetRefuseCreateStamps(true)
	got = srv.Options()
	if got.MaxPageSize != 100 || got.Behaviour != everyChoice || got.Latency != time.Millisecond ||
		got.Faults.Every != 3 || !slices.Equal(got.Faults.Statuses, []int{503}) || !got.RefuseCreateStamps {
		t.Errorf("Options() after setters = %+v", got)
	}
}
