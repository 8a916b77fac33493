package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/release"
)

// `version` prints CHANGELOG.md's newest release: the Makefile and the docs
// rely on it being the one source of the number.
func TestVersionCommand(t *testing.T) {
	want, err := release.ReadChangelogFile(filepath.Join("..", "..", release.ChangelogFile))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if err := run(t.Context(), []string{"version"}, &stdout, &stderr); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != want.Number {
		t.Errorf("version printed %q, want %q", got, want.Number)
	}

	stdout.Reset()
	if err := run(t.Context(), []string{"version", "-version", "0.2.0-dev"}, &stdout, &stderr); err != nil || strings.TrimSpace(stdout.String()) != "0.2.0-dev" {
		t.Errorf("version -version 0.2.0-dev: %q, %v", stdout.String(), err)
	}

	// goreleaser's hook: the tag must be the changelog's version.
	if err := run(t.Context(), []string{"version", "-expect", want.Number}, io.Discard, &stderr); err != nil {
		t.Errorf("version -expect %s: %v", want.Number, err)
	}
	if err := run(t.Context(), []string{"version", "-expect", want.Number + "1"}, io.Discard, &stderr); err == nil {
		t.Errorf("version -expect %s1: no error", want.Number)
	}
}

func TestCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"publish"},
		{"version", "-version", "v1.0.0"},
		{"build", "-platforms", "plan9_amd64"},
		{"build", "-platforms", ""},
		{"install", "-version", "latest"},
	} {
		var stdout, stderr bytes.Buffer
		if err := run(t.Context(), args, &stdout, &stderr); err == nil {
			t.Errorf("%q: no error (stdout %q)", args, stdout.String())
		}
	}
}
