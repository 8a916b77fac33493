#!/usr/bin/env bash
# Runs the tests of examples/module (tests/*.tftest.hcl) with `terraform
# test` or `tofu test` against the Graph emulator, the way a team tests its
# own module in CI: the provider is installed into a filesystem mirror as
# make install would install it, the emulator is started in the background
# and waited for through -ready-file, and the provider is pointed at it with
# ARM_MSGRAPH_ENDPOINT, ARM_ACCESS_TOKEN and TF_VAR_group_id.
#
# Usage: bash scripts/test-module.sh   (make testmodule; make test runs it)
#
# Environment:
#   MSGRAPH_CLI, FORCE_OPENTOFU   which CLI (scripts/find-cli.sh)
#   MODULE_DIR                    the module to test (default examples/module)
#   EMULATOR_FLAGS                more emulator flags, e.g. "-fault-rate 0.2 -invisible-for 3s"
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
module_dir=${MODULE_DIR:-examples/module}
[[ -d $module_dir/tests ]] || { echo "test-module: $module_dir has no tests/ directory" >&2; exit 1; }

step() { printf '\n==> %s\n' "$*"; }

# Assigned first so that a failure stops the script (eval "$(...)" would not).
cli_env=$(bash scripts/find-cli.sh)
eval "$cli_env"
cli=$TF_ACC_TERRAFORM_PATH
# `terraform test` as module tests use it came with Terraform 1.6 (OpenTofu
# has it from its first release, 1.6). make test accepts Terraform 1.5, so
# the module tests are skipped there rather than failed.
if [[ $MSGRAPH_CLI_FLAVOR == terraform ]]; then
	IFS=. read -r major minor _ <<<"$MSGRAPH_CLI_VERSION"
	if ((major < 1 || (major == 1 && minor < 6))); then
		echo "test-module: SKIPPED: terraform $MSGRAPH_CLI_VERSION has no terraform test (needs 1.6 or later)" >&2
		exit 0
	fi
fi
step "Testing $module_dir with $MSGRAPH_CLI_FLAVOR $MSGRAPH_CLI_VERSION"

work=$(mktemp -d)
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh
cleanup() {
	stop_emulator
	rm -rf "$work"
}
trap cleanup EXIT

step "Installing the provider into a filesystem mirror (as make install does)"
timeout 20m go run ./cmd/msgraph-release install -dir "$work/plugins"
timeout 10m go build -o "$work/msgraph-emulator" ./cmd/msgraph-emulator

step "Starting the Graph emulator"
token="module-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
# shellcheck disable=SC2086 # EMULATOR_FLAGS is a list of flags
start_emulator "$work" "$work/msgraph-emulator" "$token" -group-name "Platform Team" ${EMULATOR_FLAGS:-}

# Only the mirror: nothing is downloaded, and the provider under test is
# the one just built.
cat >"$work/cli.tfrc" <<RC
provider_installation {
  filesystem_mirror {
    path = "$work/plugins"
  }
}
RC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export ARM_MSGRAPH_ENDPOINT=$endpoint
export ARM_ACCESS_TOKEN=$token
export TF_VAR_group_id=$group_id
unset TF_PLUGIN_CACHE_DIR

# A copy, so that the run leaves no .terraform or lock file in the tree.
mkdir -p "$work/module"
cp -R "$module_dir/." "$work/module/"
tf() { timeout 10m "$cli" -chdir="$work/module" "$@"; }

step "$MSGRAPH_CLI_FLAVOR init"
tf init -input=false -no-color

step "$MSGRAPH_CLI_FLAVOR test"
tf test -no-color

step "Module tests passed with $MSGRAPH_CLI_FLAVOR $MSGRAPH_CLI_VERSION"
