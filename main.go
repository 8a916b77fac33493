// Command terraform-provider-msgraph serves the msgraph Terraform provider,
// which manages Microsoft Graph group conversations.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/seed40294029/terraform-provider-msgraph/internal/provider"
	"github.com/seed40294029/terraform-provider-msgraph/internal/rpcscope"
)

// version and commit are set by the release build with -X main.version=…
// -X main.commit=…: make release and make install take the version from
// CHANGELOG.md, goreleaser from the tag. A plain go build reports "dev".
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		silenceLogsTheCLIDiscards()
	}
	tuneGC(os.Getenv)
	stopProfile := startProfiling()
	// What providerserver.Serve does, with each RPC's context scoped to the
	// RPC (see internal/rpcscope).
	newProvider := provider.New(version, commit)
	err := tf6server.Serve(provider.Address, func() tfprotov6.ProviderServer {
		return rpcscope.Wrap(providerserver.NewProtocol6(newProvider())())
	}, opts...)
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}
