// Command terraform-provider-msgraph serves the msgraph Terraform provider,
// which manages Microsoft Graph group conversations.
package main

import (
	"flag"
	"log"

	"github.com/seed40294029/terraform-provider-msgraph/internal/process"
	"github.com/seed40294029/terraform-provider-msgraph/internal/provider"
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

	// What providerserver.Serve does, with the process tuned around the
	// framework (see internal/process).
	err := process.Serve(provider.New(version, commit), process.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
