package provider

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// fakePrivate is a private state holding created_at, or nothing.
type fakePrivate struct{ createdAt *time.Time }

func (p fakePrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	if p.createdAt == nil || key != privateCreatedAt {
		return nil, nil
	}
	raw, _ := json.Marshal(p.createdAt.UTC())
	return raw, nil
}

func TestReadWithGrace(t *testing.T) {
	t.Parallel()
	client, err := graph.NewClient(graph.Options{
		Endpoint: "http://127.0.0.1:9/v1.0", Credential: testfakes.StaticToken("t"), VisibilityGrace: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	l := &lifecycle{client: client, noun: "Group Conversation Thread"}
	notFound := &graph.Error{Operation: "read thread", StatusCode: 404, Code: "ErrorItemNotFound"}
	readNotFound := func(context.Context) (string, error) { return "", notFound }
	waitForever := func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", notFound
	}
	appearsAfter := func(d time.Duration) func(context.Context) (string, error) {
		return func(ctx context.Context) (string, error) {
			select {
			case <-time.After(d):
				return "found", nil
			case <-ctx.Done():
				return "", notFound
			}
		}
	}
	// Ages rather than times: a parallel subtest may start well after the
	// table is built on a loaded machine.
	justNow, longAgo := time.Duration(0), time.Hour
	tests := []struct {
		name        string
		createdAgo  *time.Duration
		read, wait  func(context.Context) (string, error)
		wantValue   string
		wantGone    bool
		wantWarning bool
		wantErr     bool
	}{
		{"found at once", &justNow, func(context.Context) (string, error) { return "found", nil }, waitForever, "found", false, false, false},
		{"other errors are errors", &justNow, func(context.Context) (string, error) { return "", errors.New("boom") }, waitForever, "", false, false, true},
		{"not created here", nil, readNotFound, waitForever, "", true, false, false},
		{"created long ago", &longAgo, readNotFound, waitForever, "", true, false, false},
		{"created just now, appears", &justNow, readNotFound, appearsAfter(50 * time.Millisecond), "found", false, false, false},
		{"created just now, never appears", &justNow, readNotFound, waitForever, "", true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			private := fakePrivate{}
			if tt.createdAgo != nil {
				createdAt := time.Now().Add(-*tt.createdAgo)
				private.createdAt = &createdAt
			}
			value, gone, err := readWithGrace(ctx, l, private, &diags, tt.read, tt.wait)
			if value != tt.wantValue || gone != tt.wantGone || (err != nil) != tt.wantErr {
				t.Fatalf("readWithGrace = %q, gone %v, err %v; want %q, gone %v, error %v", value, gone, err, tt.wantValue, tt.wantGone, tt.wantErr)
			}
			warnings := diags.Warnings()
			if (len(warnings) == 1) != tt.wantWarning || diags.HasError() {
				t.Fatalf("diagnostics %v; want a warning: %v", diags, tt.wantWarning)
			}
			if tt.wantWarning && (warnings[0].Summary() != "Group Conversation Thread Not Found After Create" ||
				!strings.Contains(warnings[0].Detail(), "removes it from the state")) {
				t.Fatalf("warning %q: %q", warnings[0].Summary(), warnings[0].Detail())
			}
		})
	}
}

func TestCreateFailedWording(t *testing.T) {
	t.Parallel()
	l := &lifecycle{noun: "Group Conversation"}
	answer := &graph.Error{Operation: "create conversation", StatusCode: 504, Code: "GatewayTimeout", RequestID: "r-1"}
	tests := []struct {
		name        string
		err         error
		wantSummary string
		want, never []string
	}{
		{
			"refused", &graph.Error{Operation: "create conversation", StatusCode: 403, Code: "ErrorAccessDenied"},
			"Create Group Conversation Failed", []string{"Microsoft Graph refused to create the conversation"}, nil,
		},
		{
			"never sent", &graph.Error{Operation: "create conversation", Err: errors.New("dial tcp: connection refused")},
			"Create Group Conversation Failed", []string{"Could not create the conversation"}, []string{"refused to create"},
		},
		{
			"unknown, searched", &graph.UnconfirmedCreateError{Operation: "create conversation", Answer: answer, Key: "k", Searched: true, Cause: errors.New("deadline")},
			"Create Group Conversation Outcome Unknown",
			[]string{"may have created it", "by the idempotency key", "Nothing was recorded", "import it", "request-id: r-1"},
			[]string{"refused"},
		},
		{
			"unknown, unstamped", &graph.UnconfirmedCreateError{Operation: "create conversation", Answer: answer, Searched: true, Cause: errors.New("deadline")},
			"Create Group Conversation Outcome Unknown", []string{"by its content"}, []string{"refused to create"},
		},
		{
			"unknown, not searched", &graph.UnconfirmedCreateError{Operation: "create conversation", Answer: answer, Key: "k", Cause: context.DeadlineExceeded},
			"Create Group Conversation Outcome Unknown", []string{"ran out before the provider could search"}, []string{"refused to create"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			l.createFailed(&diags, `the conversation "Kickoff" in group g`, tt.err, "")
			if len(diags) != 1 || diags[0].Summary() != tt.wantSummary {
				t.Fatalf("diagnostics %v, want summary %q", diags, tt.wantSummary)
			}
			detail := diags[0].Detail()
			for _, want := range tt.want {
				if !strings.Contains(detail, want) {
					t.Errorf("detail lacks %q:\n%s", want, detail)
				}
			}
			for _, never := range tt.never {
				if strings.Contains(detail, never) {
					t.Errorf("detail says %q:\n%s", never, detail)
				}
			}
		})
	}
}
