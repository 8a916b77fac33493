// Package process is what the provider process does around
// terraform-plugin-framework: it serves the framework's protocol 6 server
// with every RPC's context scoped to the RPC (package rpcscope), tunes the
// garbage collector for a process that lives for one graph walk (gc.go),
// and keeps the plugin SDKs from producing logs the CLI discards
// (logging.go). Builds with the msgraphbench tag, which make bench builds
// the provider with, also profile the process (profile.go); the default
// build has no profiling hook.
//
// It knows nothing of Microsoft Graph or of this provider's resources: it
// serves whatever provider.Provider it is given, so that main.go and the
// acceptance tests serve the provider the same way.
package process

import (
	"os"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/seed40294029/terraform-provider-msgraph/internal/process/rpcscope"
)

// ServeOpts are the options of Serve, as providerserver.ServeOpts are those
// of providerserver.Serve; the protocol is always 6.
type ServeOpts struct {
	// Address is the provider's full address, hostname/namespace/type.
	Address string
	// Debug serves the provider for a debugger such as delve: the process
	// prints the TF_REATTACH_PROVIDERS value for the CLI and runs until
	// interrupted.
	Debug bool
}

// Serve does what providerserver.Serve does for protocol 6, and sets up the
// process around it: outside debug mode the SDKs' logs are silenced when
// the CLI discards them, the garbage collector is tuned unless GOGC or
// GOMEMLIMIT is set, and every RPC's context is scoped to the RPC. It
// returns when the CLI ends the session.
func Serve(providerFunc func() provider.Provider, opts ServeOpts) error {
	var serveOpts []tf6server.ServeOpt
	if opts.Debug {
		serveOpts = append(serveOpts, tf6server.WithManagedDebug())
	} else {
		// In debug mode a person reads the provider's stderr, not the CLI.
		silenceLogsTheCLIDiscards()
	}
	tuneGC(os.Getenv)
	stopProfiling := startProfiling()
	defer stopProfiling()
	return tf6server.Serve(opts.Address, func() tfprotov6.ProviderServer {
		return NewProtocol6(providerFunc())()
	}, serveOpts...)
}

// NewProtocol6 returns the factory of p's protocol 6 server, as
// providerserver.NewProtocol6 does, with every RPC's context scoped to the
// RPC. Serve serves it, and the acceptance tests serve it to the CLI that
// terraform-plugin-testing drives.
func NewProtocol6(p provider.Provider) func() tfprotov6.ProviderServer {
	framework := providerserver.NewProtocol6(p)
	return func() tfprotov6.ProviderServer {
		return rpcscope.Wrap(framework())
	}
}
