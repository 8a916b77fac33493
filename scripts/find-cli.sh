#!/usr/bin/env bash
# Locate (or build) a Terraform-compatible CLI for acceptance tests and demos.
#
# Usage:
#   eval "$(scripts/find-cli.sh)"
#
# Prints on stdout only shell lines meant for `eval`:
#   export TF_ACC_TERRAFORM_PATH=/abs/path/to/cli
#   export MSGRAPH_CLI_FLAVOR=terraform|opentofu
#   export MSGRAPH_CLI_VERSION=x.y.z
#   export TF_ACC_PROVIDER_HOST=registry.opentofu.org   (opentofu only)
#   export TF_CLI_CONFIG_FILE=<repo>/.cache/cli/empty.tfrc
# Everything else (progress, diagnostics, build output) goes to stderr.
#
# Order of preference:
#   1. $TF_ACC_TERRAFORM_PATH, if already set and it runs;
#   2. `terraform` on PATH, version >= 1.5.0;
#   3. `tofu` on PATH, version >= 1.6.0;
#   4. OpenTofu v1.12.6 built from the Go module proxy (tools/opentofu) into
#      <repo>/.cache/tools/bin/tofu, reused when it already reports v1.12.6.
#
# Environment:
#   FORCE_OPENTOFU=1          skip steps 1-3 (use/build the cached OpenTofu).
#   MSGRAPH_CLI=terraform|tofu only consider that flavor ("opentofu" is
#                             accepted as an alias of "tofu").
#   OPENTOFU_BUILD_TIMEOUT    bound for the OpenTofu build (default 40m).

set -euo pipefail

readonly OPENTOFU_VERSION=1.12.6
readonly TERRAFORM_MIN_VERSION=1.5.0
readonly TOFU_MIN_VERSION=1.6.0
readonly OPENTOFU_PROVIDER_HOST=registry.opentofu.org

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "${script_dir}/.." && pwd -P)
readonly script_dir repo_root
readonly cache_dir="${repo_root}/.cache"
readonly empty_rc="${cache_dir}/cli/empty.tfrc"
readonly tofu_bin_dir="${cache_dir}/tools/bin"
readonly tofu_bin="${tofu_bin_dir}/tofu"
readonly tools_dir="${repo_root}/tools/opentofu"
readonly build_timeout="${OPENTOFU_BUILD_TIMEOUT:-40m}"

log() { printf 'find-cli: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# Run a command bounded by a timeout when coreutils' timeout is available.
# Usage: bounded DURATION CMD [ARGS...]
bounded() {
	local duration=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout "${duration}" "$@"
	else
		"$@"
	fi
}

# Quote a value for POSIX sh `eval`, leaving plain values unquoted.
shquote() {
	local v=$1
	if [[ ${v} =~ ^[A-Za-z0-9_./:@%+=,-]+$ ]]; then
		printf '%s' "${v}"
	else
		printf "'%s'" "${v//\'/\'\\\'\'}"
	fi
}

# Make a path absolute (relative to the caller's cwd) without resolving symlinks.
abspath() {
	local p=$1
	if [[ ${p} == /* ]]; then
		printf '%s' "${p}"
	else
		printf '%s/%s' "$(cd -- "$(dirname -- "${p}")" && pwd -P)" "$(basename -- "${p}")"
	fi
}

# version_ge A B: succeeds when version A >= version B (major.minor.patch;
# any pre-release/build suffix is ignored).
version_ge() {
	local a=${1%%[-+]*} b=${2%%[-+]*}
	local -a av bv
	IFS=. read -r -a av <<<"${a}"
	IFS=. read -r -a bv <<<"${b}"
	local i x y
	for i in 0 1 2; do
		x=${av[i]:-0}
		y=${bv[i]:-0}
		[[ ${x} =~ ^[0-9]+$ ]] || x=0
		[[ ${y} =~ ^[0-9]+$ ]] || y=0
		if ((10#${x} > 10#${y})); then return 0; fi
		if ((10#${x} < 10#${y})); then return 1; fi
	done
	return 0
}

# Run the CLI hermetically: a valid empty CLI config (this machine exports a
# TF_CLI_CONFIG_FILE that does not exist, which makes the CLIs print a warning
# that breaks version parsing), no checkpoint calls, and bounded in time.
run_cli() {
	local cli=$1
	shift
	local -a cmd=("${cli}" "$@")
	if command -v timeout >/dev/null 2>&1; then
		cmd=(timeout 60s "${cmd[@]}")
	fi
	env -u TERRAFORM_CONFIG -u TF_LOG -u TF_LOG_PATH \
		TF_CLI_CONFIG_FILE="${empty_rc}" \
		CHECKPOINT_DISABLE=1 \
		TF_IN_AUTOMATION=1 \
		"${cmd[@]}" </dev/null 2>/dev/null
}

# Sets cli_version and cli_flavor for the CLI at $1; fails if it does not run.
probe_cli() {
	local cli=$1 json text
	cli_version=
	cli_flavor=
	[[ -x ${cli} && ! -d ${cli} ]] || return 1
	if json=$(run_cli "${cli}" version -json); then
		cli_version=$(printf '%s\n' "${json}" |
			sed -n 's/.*"terraform_version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' | sed -n 1p)
	fi
	# The plain output's first line names the product: "Terraform v1.11.4"
	# or "OpenTofu v1.12.6". It is also the fallback for CLIs without -json.
	text=$(run_cli "${cli}" version) || return 1
	text=$(printf '%s\n' "${text}" | grep -E '^(Terraform|OpenTofu) v[0-9]' | sed -n 1p) || true
	case ${text} in
	OpenTofu\ v*) cli_flavor=opentofu ;;
	Terraform\ v*) cli_flavor=terraform ;;
	*) return 1 ;;
	esac
	if [[ -z ${cli_version} ]]; then
		cli_version=$(printf '%s\n' "${text}" | sed -n 's/^[A-Za-z]* v\([0-9][^[:space:]]*\).*/\1/p')
	fi
	[[ ${cli_version} =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
}

# Does the probed flavor satisfy MSGRAPH_CLI?
flavor_wanted() {
	[[ -z ${want_flavor} || ${want_flavor} == "$1" ]]
}

min_version_for() {
	if [[ $1 == opentofu ]]; then
		printf '%s' "${TOFU_MIN_VERSION}"
	else
		printf '%s' "${TERRAFORM_MIN_VERSION}"
	fi
}

emit() {
	local path=$1 flavor=$2 version=$3
	log "using ${flavor} ${version} at ${path}"
	printf 'export TF_ACC_TERRAFORM_PATH=%s\n' "$(shquote "${path}")"
	printf 'export MSGRAPH_CLI_FLAVOR=%s\n' "${flavor}"
	printf 'export MSGRAPH_CLI_VERSION=%s\n' "$(shquote "${version}")"
	if [[ ${flavor} == opentofu ]]; then
		printf 'export TF_ACC_PROVIDER_HOST=%s\n' "${OPENTOFU_PROVIDER_HOST}"
	else
		# A value left by an earlier OpenTofu run in the same shell would
		# make terraform-plugin-testing look for the provider elsewhere.
		printf 'unset TF_ACC_PROVIDER_HOST\n'
	fi
	printf 'export TF_CLI_CONFIG_FILE=%s\n' "$(shquote "${empty_rc}")"
	exit 0
}

# Try a candidate from PATH (steps 2 and 3).
try_path_cli() {
	local name=$1 path min
	path=$(command -v "${name}" 2>/dev/null) || {
		log "no ${name} on PATH"
		return 1
	}
	path=$(abspath "${path}")
	if ! probe_cli "${path}"; then
		log "${path} does not run or reports no version; skipping"
		return 1
	fi
	if ! flavor_wanted "${cli_flavor}"; then
		log "${path} is ${cli_flavor} ${cli_version}, but MSGRAPH_CLI=${MSGRAPH_CLI:-}; skipping"
		return 1
	fi
	min=$(min_version_for "${cli_flavor}")
	if ! version_ge "${cli_version}" "${min}"; then
		log "${path} is ${cli_flavor} ${cli_version} (< ${min}); skipping"
		return 1
	fi
	emit "${path}" "${cli_flavor}" "${cli_version}"
}

cached_tofu_ok() {
	probe_cli "${tofu_bin}" && [[ ${cli_flavor} == opentofu && ${cli_version} == "${OPENTOFU_VERSION}" ]]
}

build_tofu() {
	command -v go >/dev/null 2>&1 ||
		die "no terraform/tofu found and Go is not installed; cannot build OpenTofu ${OPENTOFU_VERSION}"
	[[ -f ${tools_dir}/go.mod ]] || die "missing ${tools_dir}/go.mod"
	mkdir -p "${tofu_bin_dir}"

	# Serialise concurrent builds (e.g. parallel test jobs); re-check the cache
	# once we hold the lock because another process may have just built it.
	if command -v flock >/dev/null 2>&1; then
		exec 9>"${tofu_bin_dir}/.tofu.lock"
		flock 9
		if cached_tofu_ok; then
			return 0
		fi
	fi

	local tmp="${tofu_bin}.tmp.$$" start=${SECONDS}
	log "building OpenTofu ${OPENTOFU_VERSION} from the Go module proxy into ${tofu_bin}"
	log "(a cold build takes ~10 minutes; later runs reuse the binary; timeout ${build_timeout})"
	# Flags mirror OpenTofu's own release build (.goreleaser.yaml): static,
	# trimmed, and version.dev=no so it reports "${OPENTOFU_VERSION}" rather
	# than "${OPENTOFU_VERSION}-dev". -mod=readonly: the committed go.sum in
	# tools/opentofu is complete, so the build is reproducible. GOWORK=off
	# keeps any go.work in the tree from leaking into this separate module.
	if ! (
		cd -- "${tools_dir}" || exit
		export GOWORK=off CGO_ENABLED=0
		bounded "${build_timeout}" \
			go build -mod=readonly -trimpath \
			-ldflags "-s -w -X 'github.com/opentofu/opentofu/version.dev=no'" \
			-o "${tmp}" github.com/opentofu/opentofu/cmd/tofu
	) >&2; then
		rm -f -- "${tmp}"
		die "building OpenTofu ${OPENTOFU_VERSION} failed (or exceeded ${build_timeout})"
	fi
	mv -f -- "${tmp}" "${tofu_bin}"
	log "built OpenTofu in $((SECONDS - start))s"
}

# ---------------------------------------------------------------------------

mkdir -p -- "$(dirname -- "${empty_rc}")"
: >"${empty_rc}"

want_flavor=
case ${MSGRAPH_CLI:-} in
'') ;;
terraform) want_flavor=terraform ;;
tofu | opentofu) want_flavor=opentofu ;;
*) die "MSGRAPH_CLI must be 'terraform' or 'tofu', got '${MSGRAPH_CLI}'" ;;
esac

force_opentofu=false
case ${FORCE_OPENTOFU:-} in
'' | 0 | false | no) ;;
*) force_opentofu=true ;;
esac
if ${force_opentofu} && [[ ${want_flavor} == terraform ]]; then
	die "FORCE_OPENTOFU=1 conflicts with MSGRAPH_CLI=terraform"
fi

if ! ${force_opentofu}; then
	# 1. Caller-provided CLI.
	if [[ -n ${TF_ACC_TERRAFORM_PATH:-} ]]; then
		given=$(abspath "${TF_ACC_TERRAFORM_PATH}" 2>/dev/null) || given=${TF_ACC_TERRAFORM_PATH}
		if ! probe_cli "${given}"; then
			log "TF_ACC_TERRAFORM_PATH=${TF_ACC_TERRAFORM_PATH} does not run; ignoring it"
		elif ! flavor_wanted "${cli_flavor}"; then
			log "TF_ACC_TERRAFORM_PATH is ${cli_flavor}, but MSGRAPH_CLI=${MSGRAPH_CLI:-}; ignoring it"
		else
			min=$(min_version_for "${cli_flavor}")
			if ! version_ge "${cli_version}" "${min}"; then
				log "warning: TF_ACC_TERRAFORM_PATH is ${cli_flavor} ${cli_version} (< ${min}); using it anyway"
			fi
			emit "${given}" "${cli_flavor}" "${cli_version}"
		fi
	fi
	# 2. terraform on PATH.
	if [[ ${want_flavor} != opentofu ]]; then
		try_path_cli terraform || true
	fi
	# 3. tofu on PATH.
	if [[ ${want_flavor} != terraform ]]; then
		try_path_cli tofu || true
	fi
	if [[ ${want_flavor} == terraform ]]; then
		die "MSGRAPH_CLI=terraform but no terraform >= ${TERRAFORM_MIN_VERSION} was found"
	fi
fi

# 4. Cached (or freshly built) OpenTofu.
if cached_tofu_ok; then
	log "reusing cached OpenTofu ${OPENTOFU_VERSION}"
else
	if [[ -e ${tofu_bin} ]]; then
		log "cached ${tofu_bin} is not OpenTofu ${OPENTOFU_VERSION} (${cli_flavor:-unknown} ${cli_version:-unknown}); rebuilding"
	fi
	build_tofu
	cached_tofu_ok || die "${tofu_bin} does not report OpenTofu ${OPENTOFU_VERSION} (got '${cli_flavor:-?} ${cli_version:-?}')"
fi
emit "${tofu_bin}" opentofu "${OPENTOFU_VERSION}"
