//go:build tools

// Package tools pins golangci-lint, which make lint runs with .golangci.yml.
// scripts/tool.sh builds it from this module into .cache/tools/bin; its go.sum
// is committed and complete, so the build is reproducible. golangci-lint's
// own go.mod has no replace directives, so this module's build list is the
// one `go install .../golangci-lint@<version>` would use.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
)
