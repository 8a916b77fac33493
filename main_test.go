package main

import (
	"bytes"
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// benchTag is the build tag with which make bench builds the provider it
// measures (cmd/msgraph-bench).
const benchTag = "msgraphbench"

// benchOnly is what exists only for make bench, and how to find it in a
// binary: a text (the name of an environment variable) or a symbol.
var benchOnly = []struct {
	what, text, symbol string
}{
	{what: "the naive client's switch", text: "MSGRAPH_BENCH_NAIVE_CLIENT"},
	{what: "the profiling hook's switch", text: "MSGRAPH_PROVIDER_PROFILE_DIR"},
	{what: "the naive HTTP stack", symbol: "github.com/seed40294029/terraform-provider-msgraph/internal/graph.sdkDefaultHTTPClient"},
	{what: "the naive stack's answer recorder", symbol: "github.com/seed40294029/terraform-provider-msgraph/internal/graph.answerRecorder.Intercept"},
	{what: "the profiler", symbol: "runtime/pprof.StartCPUProfile"},
}

// The binary users run (go build, as the release build does) has no switch
// that only make bench needs, and none of the code behind one; the build
// make bench measures has all of it, which shows the inspection finds them.
func TestDefaultBuildHasNothingBenchOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("links the provider twice")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	dir := t.TempDir()
	build := func(name string, flags ...string) (binary string, symbols []string) {
		t.Helper()
		binary = filepath.Join(dir, name)
		args := append(append([]string{"build"}, flags...), "-o", binary, ".")
		if out, err := exec.Command(goCmd, args...).CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		out, err := exec.Command(goCmd, "tool", "nm", binary).Output()
		if err != nil {
			t.Fatalf("go tool nm %s: %v", binary, err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if fields := strings.Fields(line); len(fields) >= 3 {
				symbols = append(symbols, fields[len(fields)-1])
			}
		}
		return binary, symbols
	}
	holds := func(binary string, symbols []string) []string {
		t.Helper()
		content, err := os.ReadFile(binary)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, b := range benchOnly {
			if (b.text != "" && bytes.Contains(content, []byte(b.text))) || (b.symbol != "" && slices.Contains(symbols, b.symbol)) {
				found = append(found, b.what)
			}
		}
		return found
	}
	tags := func(binary string) string {
		t.Helper()
		info, err := buildinfo.ReadFile(binary)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
		return ""
	}

	release, symbols := build("release")
	if found := holds(release, symbols); len(found) > 0 {
		t.Errorf("the default build holds %s", strings.Join(found, ", "))
	}
	if got := tags(release); strings.Contains(got, benchTag) {
		t.Errorf("the default build has the tags %q", got)
	}

	bench, symbols := build("bench", "-tags", benchTag)
	var missing []string
	found := holds(bench, symbols)
	for _, b := range benchOnly {
		if !slices.Contains(found, b.what) {
			missing = append(missing, b.what)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the %s build lacks %s: make bench could not measure the naive baseline or profile, or this test "+
			"looks for names that no longer exist", benchTag, strings.Join(missing, ", "))
	}
	if got := tags(bench); got != benchTag {
		t.Errorf("the %s build has the tags %q", benchTag, got)
	}
}
