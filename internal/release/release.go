// Package release knows what a release of the provider is made of: its
// version (the newest released section of CHANGELOG.md), the platforms it is
// built for, the names of the archives, binaries and files the Terraform and
// OpenTofu registries expect, and the flags of the build. make release, make
// install and the release smoke test all go through it, and a test holds
// .goreleaser.yml, which publishes real releases, to the same names,
// platforms and flags.
package release

import (
	"fmt"
	"runtime"
	"strings"
)

// The provider's address is {hostname}/seed40294029/msgraph; the binary and
// archive names follow from the type.
const (
	Namespace    = "seed40294029"
	ProviderType = "msgraph"

	// ProviderName is the project name: the prefix of the provider's
	// binary, of its archives, and of the checksum and manifest files.
	ProviderName = "terraform-provider-" + ProviderType

	// EmulatorName is the Graph emulator's binary and the prefix of its
	// archives.
	EmulatorName = "msgraph-emulator"
)

// Hostnames are the registries a plain source address
// ("seed40294029/msgraph") resolves to: Terraform's and OpenTofu's.
var Hostnames = []string{"registry.terraform.io", "registry.opentofu.org"}

// ArchiveExtras are the repository files each archive carries besides its
// binary, at the archive's root, as goreleaser's archives do.
var ArchiveExtras = []string{"README.md", "CHANGELOG.md"}

// Platform is a target operating system and architecture, named as Go and
// the registries name them.
type Platform struct {
	OS, Arch string
}

// String is the registry's name, for example "linux_amd64".
func (p Platform) String() string { return p.OS + "_" + p.Arch }

// Native is the platform this program runs on.
func Native() Platform { return Platform{OS: runtime.GOOS, Arch: runtime.GOARCH} }

// platforms is the release matrix of the provider scaffolding that the
// Terraform Registry's own providers ship: linux, darwin, windows and
// freebsd on amd64 and arm64, plus 386 and 32-bit arm where Go and those
// providers support them (no darwin/386, darwin/arm or windows/arm).
var platforms = []Platform{
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"freebsd", "386"}, {"freebsd", "amd64"}, {"freebsd", "arm"}, {"freebsd", "arm64"},
	{"linux", "386"}, {"linux", "amd64"}, {"linux", "arm"}, {"linux", "arm64"},
	{"windows", "386"}, {"windows", "amd64"}, {"windows", "arm64"},
}

// Platforms returns every platform a release is built for, sorted.
func Platforms() []Platform { return append([]Platform(nil), platforms...) }

// ParsePlatforms reads a comma-separated list such as
// "linux_amd64,darwin_arm64"; "all" means Platforms() and "native" the
// machine's own. Every platform must be one a release is built for.
func ParsePlatforms(list string) ([]Platform, error) {
	var out []Platform
	seen := map[Platform]bool{}
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		var add []Platform
		switch item {
		case "":
			continue
		case "all":
			add = Platforms()
		case "native":
			add = []Platform{Native()}
		default:
			goos, goarch, ok := strings.Cut(item, "_")
			if !ok {
				return nil, fmt.Errorf("platform %q is not os_arch (for example linux_amd64)", item)
			}
			add = []Platform{{OS: goos, Arch: goarch}}
		}
		for _, p := range add {
			if !isReleasePlatform(p) {
				return nil, fmt.Errorf("%s is not a release platform (those are: %s)", p, platformNames())
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no platform given (for example %q, \"native\" or \"all\")", Native().String())
	}
	return out, nil
}

func isReleasePlatform(p Platform) bool {
	for _, q := range platforms {
		if p == q {
			return true
		}
	}
	return false
}

func platformNames() string {
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

// exe is the suffix of executables on the platform.
func exe(p Platform) string {
	if p.OS == "windows" {
		return ".exe"
	}
	return ""
}

// ProviderBinary is the provider's executable inside its archive:
// "terraform-provider-msgraph_v0.1.0", as the registries expect.
func ProviderBinary(version string, p Platform) string {
	return ProviderName + "_v" + version + exe(p)
}

// ProviderArchive is "terraform-provider-msgraph_0.1.0_linux_amd64.zip".
func ProviderArchive(version string, p Platform) string {
	return ProviderName + "_" + version + "_" + p.String() + ".zip"
}

// EmulatorBinary is the emulator's executable inside its archive.
func EmulatorBinary(p Platform) string { return EmulatorName + exe(p) }

// EmulatorArchive is "msgraph-emulator_0.1.0_linux_amd64.zip".
func EmulatorArchive(version string, p Platform) string {
	return EmulatorName + "_" + version + "_" + p.String() + ".zip"
}

// SumsFile lists the SHA-256 of every archive and of the manifest.
func SumsFile(version string) string { return ProviderName + "_" + version + "_SHA256SUMS" }

// ManifestFile is terraform-registry-manifest.json under its release name.
func ManifestFile(version string) string { return ProviderName + "_" + version + "_manifest.json" }

// ManifestSource is the repository file that becomes ManifestFile.
const ManifestSource = "terraform-registry-manifest.json"

// Package paths of the two programs, relative to the module root.
const (
	ProviderMain = "."
	EmulatorMain = "./cmd/msgraph-emulator"
)

// BuildFlags are the go build flags of release binaries: no file system
// paths of the build machine in them.
var BuildFlags = []string{"-trimpath"}

// ProviderLDFlags sets what the provider reports as its version (in its
// user agent and logs) and the commit it was built from; -s -w drop the
// symbol table and DWARF data, as registry releases do.
func ProviderLDFlags(version, commit string) string {
	return "-s -w -X main.version=" + version + " -X main.commit=" + commit
}

// EmulatorLDFlags are the emulator's, which reports no version.
const EmulatorLDFlags = "-s -w"

// Instruction-set levels pinned so that a release does not depend on the
// GOAMD64, GOARM, GO386 or GOARM64 of the machine that builds it. They are
// Go's defaults, and goreleaser's.
const (
	GOAMD64 = "v1"
	GOARM   = "6"
	GO386   = "sse2"
	GOARM64 = "v8.0"
)

// BuildEnv is the environment of a release build for p: static binaries
// (no C libraries to install on the machines that run the CLI) for that
// platform at the pinned instruction-set level.
func BuildEnv(p Platform) []string {
	env := []string{"CGO_ENABLED=0", "GOOS=" + p.OS, "GOARCH=" + p.Arch}
	switch p.Arch {
	case "amd64":
		env = append(env, "GOAMD64="+GOAMD64)
	case "arm":
		env = append(env, "GOARM="+GOARM)
	case "386":
		env = append(env, "GO386="+GO386)
	case "arm64":
		env = append(env, "GOARM64="+GOARM64)
	}
	return env
}
