//go:build !msgraphbench

package provider

import (
	"context"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// newGraphClient builds the Graph client of a configured provider. Builds
// with the msgraphbench tag, with which make bench builds the provider it
// measures, replace it with one that can select msgraph-sdk-go's default
// middleware for the naive baseline (bench_env.go).
func newGraphClient(_ context.Context, opts graph.Options) (*graph.Client, error) {
	return graph.NewClient(opts)
}
