//go:build tools

// Package tools pins the OpenTofu CLI as a build dependency of this module so
// that scripts/find-cli.sh can build it with:
//
//	go build -o ../../.cache/tools/bin/tofu github.com/opentofu/opentofu/cmd/tofu
package tools

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
