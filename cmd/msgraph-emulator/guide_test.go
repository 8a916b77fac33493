package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The offline-testing guide lists every flag of the command, so a user
// reading it finds each knob (a flag added without a row there fails here).
func TestGuideListsEveryFlag(t *testing.T) {
	t.Parallel()
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseFlags(-h) = %v, want flag.ErrHelp", err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`).FindAllStringSubmatch(usage.String(), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) < 20 {
		t.Fatalf("found %d flags in the usage text, expected every flag:\n%s", len(flags), usage.String())
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "templates", "guides", "testing-offline-with-the-emulator.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, name := range flags {
		if !regexp.MustCompile("`-" + regexp.QuoteMeta(name) + "[` ]").Match(guide) {
			missing = append(missing, "-"+name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the guide \"Testing your configuration offline with the emulator\" does not mention %s", strings.Join(missing, ", "))
	}
}
