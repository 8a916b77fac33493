package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator/emulatortest"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"token without group", nil, map[string]string{envToken: "t"}, "set both"},
		{"group without token", nil, map[string]string{envGroupID: "6f1c1b2e-3f4a-4b5c-8d6e-7f8091a2b3c4"}, "set both"},
		{"unknown mode", []string{"-mode", "fastest"}, nil, `no mode "fastest"`},
		{"no emulator binary", []string{"-emulator", filepath.Join(t.TempDir(), "none")}, nil, "make conformance builds it"},
		{"stray argument", []string{"now"}, nil, "unexpected arguments"},
		{"bad create-groups", nil, map[string]string{envToken: "t", envGroupID: "6f1c1b2e-3f4a-4b5c-8d6e-7f8091a2b3c4", envCreateGroups: "maybe"}, "want 1 or 0"},
		{"bad mailbox wait", nil, map[string]string{envToken: "t", envGroupID: "6f1c1b2e-3f4a-4b5c-8d6e-7f8091a2b3c4", envMailboxWait: "long"}, "not a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, env(tt.env), &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.want)
			}
		})
	}
}

// TestLiveRun drives the live path, as a user with a tenant would, against
// an emulator in process standing in for the tenant.
func TestLiveRun(t *testing.T) {
	t.Parallel()
	srv, endpoint := emulatortest.Serve(t, emulator.Options{Tokens: map[string]emulator.Principal{"live-token": {DisplayName: "Adele Vance", Address: "adele@contoso.example"}},
		Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst}})
	g := srv.AddGroup(emulator.Group{DisplayName: "Tenant Group", MailNickname: "tenantgroup", Mail: "tenantgroup@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true})
	out := filepath.Join(t.TempDir(), "report.md")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-out", out, "-skip", "posts"}, env(map[string]string{
		envToken: "live-token", envGroupID: g.ID, envEndpoint: endpoint,
	}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr.String(), stdout.String())
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := stdout.String()
	if string(written) != md {
		t.Errorf("the -out file differs from what was printed")
	}
	for _, want := range []string{
		"| List order |", "`-list-order=newest-first`", "msgraph-emulator -list-order=newest-first",
		"| A new group's mailbox |", "MSGRAPH_CONFORMANCE_CREATE_GROUPS=1", "skipped on request", "nothing left behind",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	for _, secret := range []string{g.ID, "adele@contoso.example", "live-token"} {
		if strings.Contains(md, secret) || strings.Contains(stderr.String(), secret) {
			t.Errorf("the output shows %q", secret)
		}
	}
	if n := len(srv.Conversations(g.ID)); n != 0 {
		t.Errorf("%d conversations left in the group", n)
	}
}

// TestSelfCheck runs make conformance's self-check for two modes against a
// msgraph-emulator binary built from this tree.
func TestSelfCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds msgraph-emulator")
	}
	t.Parallel()
	binary := filepath.Join(t.TempDir(), "msgraph-emulator")
	build := exec.Command("go", "build", "-o", binary, "../msgraph-emulator")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-emulator", binary, "-mode", "defaults,newest first"}, env(nil), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "2 of 2 modes identified") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}
