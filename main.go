// Command terraform-provider-msgraph serves the msgraph Terraform provider,
// which manages Microsoft Graph group conversations.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/seed40294029/terraform-provider-msgraph/internal/provider"
)

// version and commit are set by the release build (goreleaser's ldflags).
var (
	version = "dev"
	commit  = "none"
)

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		silenceLogsTheCLIDiscards()
	}
	stopProfile := startProfiling()
	err := providerserver.Serve(context.Background(), provider.New(version, commit), providerserver.ServeOpts{
		Address:         provider.Address,
		Debug:           debug,
		ProtocolVersion: 6,
	})
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}
