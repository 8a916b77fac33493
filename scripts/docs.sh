#!/usr/bin/env bash
# Generate docs/ with tfplugindocs, or check that the committed docs/ and
# examples/ are current. Offline: the provider schema comes from the CLI that
# scripts/find-cli.sh finds (or builds), never from a Terraform download.
#
# Usage:
#   bash scripts/docs.sh generate   # terraform fmt examples/, rewrite docs/ (make generate)
#   bash scripts/docs.sh check      # fail if examples/ needs fmt or docs/ is stale (make docs-check)
#
# How:
#   1. build the provider into a temporary plugin directory;
#   2. `<cli> providers schema -json` in a temporary configuration whose CLI
#      config has a dev_overrides entry for that directory, so no registry is
#      asked and no `init` is needed;
#   3. `tfplugindocs generate --providers-schema <that JSON>`: with a schema
#      file, tfplugindocs neither builds the provider nor looks for (or
#      downloads) Terraform;
#   4. `tfplugindocs validate` on the result.
# tfplugindocs renders into a staged copy of the repository's docs/,
# examples/ and templates/, so `check` compares without touching the tree
# and `generate` replaces docs/ only when everything succeeded.
#
# tfplugindocs deletes everything under docs/guides and rebuilds it from
# templates/guides. A page in docs/guides without a template there (written
# by hand) is kept as it is, with a warning, rather than deleted.

set -euo pipefail

readonly provider_name=msgraph
readonly provider_address=registry.terraform.io/seed40294029/msgraph

repo_root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly repo_root
cd -- "${repo_root}"

log() { printf 'docs: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

mode=${1:-}
case ${mode} in
generate | check) ;;
*) die "usage: $0 generate|check" ;;
esac

# Assigned first so that a failure stops the script (eval "$(...)" would not).
cli_env=$(bash scripts/find-cli.sh)
eval "${cli_env}"
cli=${TF_ACC_TERRAFORM_PATH}
tfplugindocs=$(bash scripts/tool.sh tfplugindocs)

work=$(mktemp -d)
trap 'rm -rf -- "${work}"' EXIT

# The CLI, hermetic: its own config (no user config, no checkpoint calls).
run_cli() {
	env -u TF_LOG -u TF_LOG_PATH -u TERRAFORM_CONFIG \
		TF_CLI_CONFIG_FILE="${cli_config}" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
		timeout 120s "${cli}" "$@" </dev/null
}
cli_config=${TF_CLI_CONFIG_FILE}

# Examples first: the docs embed them, so they are formatted before rendering.
if [[ ${mode} == generate ]]; then
	log "${MSGRAPH_CLI_FLAVOR} fmt -recursive examples/"
	run_cli fmt -recursive examples/ >&2
else
	log "${MSGRAPH_CLI_FLAVOR} fmt -check -recursive examples/"
	if ! run_cli fmt -check -diff -recursive examples/ >&2; then
		die "examples/ is not formatted: run make generate (or ${MSGRAPH_CLI_FLAVOR} fmt -recursive examples/)"
	fi
fi

log "building the provider"
mkdir -p "${work}/plugins" "${work}/schema"
timeout 20m go build -o "${work}/plugins/terraform-provider-${provider_name}" .

cli_config=${work}/cli.tfrc
cat >"${cli_config}" <<EOF
provider_installation {
  dev_overrides {
    "${provider_address}" = "${work}/plugins"
  }
  direct {}
}
EOF
# The explicit registry.terraform.io host makes Terraform and OpenTofu both
# key the schema by the same address.
cat >"${work}/schema/main.tf" <<EOF
terraform {
  required_providers {
    ${provider_name} = {
      source = "${provider_address}"
    }
  }
}
EOF

log "reading the provider schema with ${MSGRAPH_CLI_FLAVOR} ${MSGRAPH_CLI_VERSION}"
if ! run_cli -chdir="${work}/schema" providers schema -json >"${work}/schema.json" 2>"${work}/schema.err"; then
	cat "${work}/schema.err" >&2
	die "${MSGRAPH_CLI_FLAVOR} providers schema -json failed"
fi
# tfplugindocs looks the schema up by the provider's short name (or under
# registry.terraform.io/hashicorp/), so rename the one provider's key.
sed -i "s|\"provider_schemas\":{\"${provider_address}\":|\"provider_schemas\":{\"${provider_name}\":|" "${work}/schema.json"
grep -q "\"provider_schemas\":{\"${provider_name}\":" "${work}/schema.json" ||
	die "the schema JSON has no ${provider_address} (is the provider's address still ${provider_address}?)"

# Stage the inputs. docs/ is copied too, so that files tfplugindocs does not
# manage survive exactly as tfplugindocs itself would leave them.
site=${work}/site
mkdir -p "${site}"
cp -R examples "${site}/examples"
if [[ -d templates ]]; then cp -R templates "${site}/templates"; else mkdir -p "${site}/templates"; fi
if [[ -d docs ]]; then cp -R docs "${site}/docs"; fi
if [[ -d docs/guides ]]; then
	for page in docs/guides/*; do
		[[ -f ${page} ]] || continue
		base=$(basename -- "${page}")
		stem=${base%.md}
		if [[ ! -e templates/guides/${stem}.md.tmpl && ! -e templates/guides/${base} ]]; then
			log "warning: ${page} has no template; keeping it as is (move it to templates/guides/${stem}.md.tmpl)"
			mkdir -p "${site}/templates/guides"
			cp -- "${page}" "${site}/templates/guides/${base}"
		fi
	done
fi

log "rendering with tfplugindocs"
if ! timeout 5m "${tfplugindocs}" generate \
	--provider-dir "${site}" \
	--provider-name "${provider_name}" \
	--providers-schema "${work}/schema.json" >"${work}/generate.log" 2>&1; then
	cat "${work}/generate.log" >&2
	die "tfplugindocs generate failed"
fi
if ! timeout 5m "${tfplugindocs}" validate \
	--provider-dir "${site}" \
	--provider-name "${provider_name}" \
	--providers-schema "${work}/schema.json" >"${work}/validate.log" 2>&1; then
	cat "${work}/validate.log" >&2
	die "tfplugindocs validate found problems in the generated docs"
fi

if [[ ${mode} == check ]]; then
	if ! diff -ru docs "${site}/docs" >"${work}/docs.diff" 2>&1; then
		cat "${work}/docs.diff" >&2
		die "docs/ is stale: run make generate and commit docs/"
	fi
	log "docs/ is current"
	exit 0
fi

rm -rf docs
cp -R "${site}/docs" docs
log "regenerated docs/"
