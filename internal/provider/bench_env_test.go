//go:build msgraphbench

package provider

import (
	"context"
	"testing"
)

// Not parallel: the switch is the process's environment.
func TestBenchNaiveClient(t *testing.T) {
	for value, want := range map[string]bool{"": false, "1": true, " true ": true, "0": false, "false": false, "yes": false} {
		t.Setenv(envBenchNaiveClient, value)
		if got := benchNaiveClient(context.Background()); got != want {
			t.Errorf("%s=%q: %v, want %v", envBenchNaiveClient, value, got, want)
		}
	}
}
