#!/usr/bin/env bash
# Applies examples/demo with the real Terraform (or OpenTofu) CLI against the
# bundled Graph emulator on loopback, shows that a second plan is empty, then
# destroys everything. Needs only Go: scripts/find-cli.sh finds or builds a CLI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

# Assigned first so that a failure stops the script (eval "$(...)" would not).
cli_env=$(bash scripts/find-cli.sh)
eval "$cli_env"
cli=$TF_ACC_TERRAFORM_PATH
step "Using $MSGRAPH_CLI_FLAVOR $MSGRAPH_CLI_VERSION at $cli"

step "Building the provider and the Graph emulator"
mkdir -p bin
go build -o bin/terraform-provider-msgraph .
go build -o bin/msgraph-emulator ./cmd/msgraph-emulator

work=$(mktemp -d)
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT

step "Starting the Graph emulator on loopback"
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
start_emulator "$work" bin/msgraph-emulator "$token"

# The CLI uses the provider just built instead of a registry download.
cat >"$work/cli.tfrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/seed40294029/msgraph" = "$root/bin"
    "registry.opentofu.org/seed40294029/msgraph" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/cli.tfrc
export TF_IN_AUTOMATION=1
export ARM_MSGRAPH_ENDPOINT=$endpoint
export ARM_ACCESS_TOKEN=$token
export TF_VAR_group_id=$group_id
mkdir -p "$work/demo"
cp examples/demo/*.tf "$work/demo/"
tf() { timeout 300 "$cli" -chdir="$work/demo" "$@"; }

step "$MSGRAPH_CLI_FLAVOR apply"
tf apply -auto-approve -input=false -no-color

step "Outputs"
tf output -no-color

step "Second plan (must show no changes)"
set +e
tf plan -detailed-exitcode -input=false -no-color >"$work/plan.txt" 2>&1
code=$?
set -e
if [[ $code -ne 0 ]]; then
  cat "$work/plan.txt"
  echo "FAIL: the second plan was not empty (exit code $code)" >&2
  exit 1
fi
grep -E "No changes" "$work/plan.txt"

step "$MSGRAPH_CLI_FLAVOR destroy"
tf destroy -auto-approve -input=false -no-color

step "Demo finished: applied, planned with no changes, destroyed"
