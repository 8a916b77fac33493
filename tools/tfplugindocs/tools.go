//go:build tools

// Package tools pins tfplugindocs, the generator of docs/ from the provider
// schema, examples/ and templates/. scripts/tool.sh builds it from this
// module into .cache/tools/bin; its go.sum is committed and complete, so the
// build is reproducible and needs no `go mod` changes.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
