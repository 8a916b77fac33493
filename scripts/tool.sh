#!/usr/bin/env bash
# Print the path of a pinned development tool, building it first when the
# cached binary is missing or is another version.
#
# Usage:
#   bin=$(bash scripts/tool.sh golangci-lint|tfplugindocs)
#
# Each tool is pinned by its own module under tools/<name> (go.mod plus a
# complete, committed go.sum), like tools/opentofu. The binary is cached in
# <repo>/.cache/tools/bin/<name> and reused while `go version -m` says it was
# built from the pinned module version, so only a new machine or a version
# bump pays for the build (cold: golangci-lint ~6 min, tfplugindocs ~1 min on
# two cores). Progress goes to stderr; stdout is only the path.
#
# Environment:
#   TOOL_BUILD_TIMEOUT   bound for one build (default 20m).

set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
repo_root=$(cd -- "${script_dir}/.." && pwd -P)
readonly script_dir repo_root
readonly bin_dir="${repo_root}/.cache/tools/bin"
readonly build_timeout="${TOOL_BUILD_TIMEOUT:-20m}"

log() { printf 'tool: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

[[ $# -eq 1 ]] || die "usage: $0 golangci-lint|tfplugindocs"
name=$1
case ${name} in
golangci-lint)
	module=github.com/golangci/golangci-lint/v2
	package=${module}/cmd/golangci-lint
	;;
tfplugindocs)
	module=github.com/hashicorp/terraform-plugin-docs
	package=${module}/cmd/tfplugindocs
	;;
*) die "unknown tool '${name}' (want golangci-lint or tfplugindocs)" ;;
esac
readonly name module package
readonly tools_dir="${repo_root}/tools/${name}"
readonly bin="${bin_dir}/${name}"

command -v go >/dev/null 2>&1 || die "Go is needed to build ${name}"
[[ -f ${tools_dir}/go.mod ]] || die "missing ${tools_dir}/go.mod"

# The pinned version is the one tools/<name>/go.mod requires.
version=$(sed -n "s|^require ${module} \(v[^ ]*\)\$|\1|p; s|^[[:space:]]*${module} \(v[^ ]*\)\$|\1|p" \
	"${tools_dir}/go.mod" | sed -n 1p)
[[ -n ${version} ]] || die "tools/${name}/go.mod does not require ${module}"
readonly version

# Built from the tools module, the tool is a "dep" of it; installed with
# `go install ${package}@${version}` it is the "mod" line. Either is fine:
# the tool has no replace directives, so both build lists are the same.
cached_ok() {
	[[ -x ${bin} ]] || return 1
	go version -m "${bin}" 2>/dev/null |
		awk -v m="${module}" -v v="${version}" '($1 == "mod" || $1 == "dep") && $2 == m && $3 == v { ok = 1 } END { exit !ok }'
}

if cached_ok; then
	printf '%s\n' "${bin}"
	exit 0
fi

mkdir -p "${bin_dir}"
# Serialise concurrent builds; another process may finish the build while we
# wait for the lock.
if command -v flock >/dev/null 2>&1; then
	exec 9>"${bin_dir}/.${name}.lock"
	flock 9
	if cached_ok; then
		printf '%s\n' "${bin}"
		exit 0
	fi
fi

tmp="${bin}.tmp.$$"
trap 'rm -f -- "${tmp}"' EXIT
start=${SECONDS}
log "building ${name} ${version} from tools/${name} into ${bin} (timeout ${build_timeout})"
ldflags="-s -w"
if [[ ${name} == golangci-lint ]]; then
	# golangci-lint reports these in `golangci-lint version`; without them a
	# build from a tools module calls itself "(devel)".
	ldflags+=" -X main.version=${version#v} -X main.date=tools/${name}"
fi
if ! (
	cd -- "${tools_dir}" || exit
	# GOWORK=off keeps a go.work in the tree from leaking into this module;
	# -mod=readonly because the committed go.sum is complete.
	export GOWORK=off CGO_ENABLED=0
	if command -v timeout >/dev/null 2>&1; then
		timeout "${build_timeout}" go build -mod=readonly -trimpath -ldflags "${ldflags}" -o "${tmp}" "${package}"
	else
		go build -mod=readonly -trimpath -ldflags "${ldflags}" -o "${tmp}" "${package}"
	fi
) >&2; then
	die "building ${name} ${version} failed (or exceeded ${build_timeout})"
fi
mv -f -- "${tmp}" "${bin}"
cached_ok || die "${bin} does not report ${module} ${version}"
log "built ${name} ${version} in $((SECONDS - start))s"
printf '%s\n' "${bin}"
