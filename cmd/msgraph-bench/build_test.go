package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestNeedsBenchTag(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	if got := needsBenchTag(cfg); len(got) != 1 || !strings.Contains(got[0], "W3") {
		t.Errorf("a full session needs the tag for %v, want the naive baseline", got)
	}
	cfg.only = []string{"W1"}
	if got := needsBenchTag(cfg); len(got) != 0 {
		t.Errorf("-only W1 needs the tag for %v, want nothing", got)
	}
	cfg.cpuProfileDir = "/tmp/profiles"
	if got := needsBenchTag(cfg); len(got) != 1 || got[0] != "-provider-profile" {
		t.Errorf("-only W1 -provider-profile needs the tag for %v, want -provider-profile", got)
	}
}

// A provider given with -provider is refused when the session needs the
// tag and it was built without; a small program stands in for it.
func TestProviderGivenWithoutTheBenchTag(t *testing.T) {
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	dir := t.TempDir()
	for name, content := range map[string]string{"go.mod": "module example.com/p\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	build := func(name string, flags ...string) string {
		out := filepath.Join(dir, name)
		cmd := exec.Command(goCmd, append(append([]string{"build"}, flags...), "-o", out, ".")...)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
		}
		return out
	}
	plain, tagged := build("plain"), build("tagged", "-tags=other,"+benchTag)

	cfg := testConfig()
	for _, tc := range []struct {
		binary string
		only   []string
		ok     bool
	}{
		{plain, nil, false}, // W3 runs
		{plain, []string{"W1"}, true},
		{tagged, nil, true},
	} {
		cfg.provider, cfg.only = tc.binary, tc.only
		_, info, err := buildProvider(context.Background(), cfg, dir, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%s with -only %v: error %v, want ok=%v", filepath.Base(tc.binary), tc.only, err, tc.ok)
		}
		if err == nil && (info.built || info.size == 0) {
			t.Errorf("%s: %+v, want its own size and not built", filepath.Base(tc.binary), info)
		}
	}
}
