//go:build msgraphbench

package process

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Not parallel: the CPU profile is the process's.
func TestBenchProfilingWritesTheProfiles(t *testing.T) {
	t.Setenv(envProfileDir, "")
	startProfiling()() // unset: nothing is written, nothing fails

	dir := t.TempDir()
	t.Setenv(envProfileDir, dir)
	stop := startProfiling()
	stop()
	for _, name := range []string{"cpu-%d.pprof", "heap-%d.pprof", "runtime-%d.txt"} {
		path := filepath.Join(dir, fmt.Sprintf(name, os.Getpid()))
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v (want a non-empty file)", path, err)
		}
	}
}
