//go:build msgraphbench

package provider

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// envBenchNaiveClient switches the Graph client to msgraph-sdk-go's default
// middleware: no per-mailbox limiter, kiota's retry handler instead of the
// provider's. It exists only for the naive baseline of make bench
// (cmd/msgraph-bench) and is deliberately not a provider attribute: it is
// not part of the provider's schema or documentation, no configuration can
// turn it on, and a configuration cannot come to depend on it. Only builds
// with the msgraphbench tag read it (make bench builds the provider it
// measures with that tag); the default build has neither the variable nor
// the second HTTP stack (bench_env_default.go).
const envBenchNaiveClient = "MSGRAPH_BENCH_NAIVE_CLIENT"

// newGraphClient builds the Graph client of a configured provider:
// msgraph-sdk-go's defaults when envBenchNaiveClient is on, else the
// provider's own.
func newGraphClient(ctx context.Context, opts graph.Options) (*graph.Client, error) {
	if benchNaiveClient(ctx) {
		return graph.NewClientWithSDKDefaults(opts)
	}
	return graph.NewClient(opts)
}

// benchNaiveClient reports whether envBenchNaiveClient is on, and warns
// when it is, since it makes the provider throttle itself against Exchange.
func benchNaiveClient(ctx context.Context) bool {
	raw := strings.TrimSpace(os.Getenv(envBenchNaiveClient))
	if raw == "" {
		return false
	}
	on, err := strconv.ParseBool(raw)
	if err != nil || !on {
		if err != nil {
			tflog.Warn(ctx, envBenchNaiveClient+" is not a boolean; ignoring it", map[string]any{"value": raw})
		}
		return false
	}
	tflog.Warn(ctx, envBenchNaiveClient+" is set: using msgraph-sdk-go's default HTTP middleware without the "+
		"per-mailbox limiter or the provider's retry handling. This is a benchmarking baseline only; unset it.")
	return true
}
