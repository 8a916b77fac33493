package process

import "runtime/debug"

// A provider process lives for one Terraform graph walk and keeps little:
// its live heap is a few MB (the schema, the Graph client, a listing),
// while every RPC allocates a lot of short-lived data in the plugin SDKs
// (value conversions, schema path lookups). With Go's default GOGC=100 the
// collector ran every few MB of allocation; under make bench it was a fifth
// of the provider's CPU, on a machine whose other core runs Terraform
// itself. A heap allowed to grow to five times the live data collects a
// quarter as often, and the soft limit makes the collector work harder
// again before the heap of an unusually large workload gets big.
const (
	providerGCPercent   = 400
	providerMemoryLimit = 256 << 20
)

// tuneGC applies those settings unless the user set GOGC or GOMEMLIMIT,
// which the runtime has already applied.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(providerGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(providerMemoryLimit)
	}
}
