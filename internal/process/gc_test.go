package process

import (
	"runtime/debug"
	"testing"
)

// Not parallel: the settings are the process's.
func TestTuneGCLeavesTheUsersSettingsAlone(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for _, tc := range []struct {
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{env: nil, wantPercent: providerGCPercent, wantLimit: providerMemoryLimit},
		{env: map[string]string{"GOGC": "150"}, wantPercent: 100, wantLimit: providerMemoryLimit},
		{env: map[string]string{"GOMEMLIMIT": "1GiB"}, wantPercent: providerGCPercent, wantLimit: 1 << 40},
	} {
		// What the runtime would have read from the environment.
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 40)
		tuneGC(func(k string) string { return tc.env[k] })
		if got := debug.SetGCPercent(-1); got != tc.wantPercent {
			t.Errorf("env %v: GC percent %d, want %d", tc.env, got, tc.wantPercent)
		}
		debug.SetGCPercent(100)
		if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
			t.Errorf("env %v: memory limit %d, want %d", tc.env, got, tc.wantLimit)
		}
	}
}
