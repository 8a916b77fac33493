package release

import (
	"archive/zip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/dirhash"
)

func TestNames(t *testing.T) {
	t.Parallel()
	linux := Platform{OS: "linux", Arch: "amd64"}
	windows := Platform{OS: "windows", Arch: "arm64"}
	for got, want := range map[string]string{
		ProviderArchive("0.1.0", linux):   "terraform-provider-msgraph_0.1.0_linux_amd64.zip",
		ProviderBinary("0.1.0", linux):    "terraform-provider-msgraph_v0.1.0",
		ProviderBinary("0.1.0", windows):  "terraform-provider-msgraph_v0.1.0.exe",
		EmulatorArchive("0.1.0", windows): "msgraph-emulator_0.1.0_windows_arm64.zip",
		EmulatorBinary(windows):           "msgraph-emulator.exe",
		EmulatorBinary(linux):             "msgraph-emulator",
		SumsFile("0.1.0"):                 "terraform-provider-msgraph_0.1.0_SHA256SUMS",
		ManifestFile("0.1.0"):             "terraform-provider-msgraph_0.1.0_manifest.json",
		ProviderLDFlags("0.1.0", "abc"):   "-s -w -X main.version=0.1.0 -X main.commit=abc",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestParsePlatforms(t *testing.T) {
	t.Parallel()
	got, err := ParsePlatforms("linux_amd64, darwin_arm64,linux_amd64")
	if err != nil || !slices.Equal(got, []Platform{{"linux", "amd64"}, {"darwin", "arm64"}}) {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := ParsePlatforms("all"); err != nil || !slices.Equal(got, Platforms()) || len(got) != 13 {
		t.Errorf("all: got %v, %v", got, err)
	}
	for _, bad := range []string{"", "linux", "windows_arm", "darwin_386", "plan9_amd64"} {
		if got, err := ParsePlatforms(bad); err == nil {
			t.Errorf("%q: got %v, want an error", bad, got)
		}
	}
}

// The release matrix is sorted and holds each registry platform once.
func TestPlatformsSorted(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(Platforms()))
	for _, p := range Platforms() {
		names = append(names, p.String())
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("platforms not sorted or repeated: %v", names)
	}
}

func TestBuildEnvPinsInstructionSets(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    Platform
		want []string
	}{
		{Platform{"linux", "amd64"}, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOAMD64=v1"}},
		{Platform{"linux", "arm"}, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm", "GOARM=6"}},
		{Platform{"windows", "386"}, []string{"CGO_ENABLED=0", "GOOS=windows", "GOARCH=386", "GO386=sse2"}},
		{Platform{"darwin", "arm64"}, []string{"CGO_ENABLED=0", "GOOS=darwin", "GOARCH=arm64", "GOARM64=v8.0"}},
	} {
		if got := BuildEnv(tt.p); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.p, got, tt.want)
		}
	}
}

// writeTestArchive writes a provider archive as the builder does, with a
// stand-in binary.
func writeTestArchive(t *testing.T, dir, version string, p Platform) string {
	t.Helper()
	src := t.TempDir()
	binary := filepath.Join(src, "provider")
	readme := filepath.Join(src, "README.md")
	if err := os.WriteFile(binary, []byte("#!/bin/sh\necho provider\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("# readme\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, ProviderArchive(version, p))
	files := []archiveFile{
		{Name: ProviderBinary(version, p), Source: binary, Mode: 0o755},
		{Name: "README.md", Source: readme, Mode: 0o644},
	}
	if err := writeZip(archive, files, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return archive
}

func TestWriteZipIsReproducible(t *testing.T) {
	t.Parallel()
	p := Platform{"linux", "amd64"}
	a := writeTestArchive(t, t.TempDir(), "1.0.0", p)
	b := writeTestArchive(t, t.TempDir(), "1.0.0", p)
	sumA, err := fileSHA256(a)
	if err != nil {
		t.Fatal(err)
	}
	sumB, err := fileSHA256(b)
	if err != nil {
		t.Fatal(err)
	}
	if sumA != sumB {
		t.Errorf("the same inputs gave different archives: %s, %s", sumA, sumB)
	}
	r, err := zip.OpenReader(a)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
		if f.Name == ProviderBinary("1.0.0", p) && f.Mode().Perm() != 0o755 {
			t.Errorf("%s has mode %v, want executable", f.Name, f.Mode())
		}
	}
	if !slices.Equal(names, []string{"terraform-provider-msgraph_v1.0.0", "README.md"}) {
		t.Errorf("archive holds %v", names)
	}
}

func TestSums(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"b.zip": "bbb", "a.zip": "aaa"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSums(dir, "SUMS", []string{"b.zip", "a.zip"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	// sha256sum's output for the same files.
	want := "9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0  a.zip\n" +
		"3e744b9dc39389baf0c5a0660589b8402f3dbb49b89b3e75f2c9355852a3c677  b.zip\n"
	if string(data) != want {
		t.Errorf("SUMS:\n%s\nwant:\n%s", data, want)
	}
	if err := VerifySums(filepath.Join(dir, "SUMS")); err != nil {
		t.Errorf("verify: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.zip"), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := VerifySums(filepath.Join(dir, "SUMS")); err == nil || !strings.Contains(err.Error(), "a.zip") {
		t.Errorf("verify after tampering: %v, want an error naming a.zip", err)
	}
}

func TestImplicitMirrorDir(t *testing.T) {
	t.Parallel()
	env := map[string]string{"HOME": "/home/ada", "APPDATA": `C:\Users\ada\AppData\Roaming`}
	getenv := func(k string) string { return env[k] }
	if got, err := ImplicitMirrorDir("linux", getenv); err != nil || got != filepath.Join("/home/ada", ".terraform.d", "plugins") {
		t.Errorf("linux: %q, %v", got, err)
	}
	if got, err := ImplicitMirrorDir("windows", getenv); err != nil || got != filepath.Join(env["APPDATA"], "terraform.d", "plugins") {
		t.Errorf("windows: %q, %v", got, err)
	}
	if _, err := ImplicitMirrorDir("darwin", func(string) string { return "" }); err == nil {
		t.Error("no HOME: want an error")
	}
}

// Install lays the archive out unpacked for both registries, and the
// installed directory has the archive's h1: checksum, the one a lock file
// records, so a lock file written after make install also accepts the
// released archive.
func TestInstall(t *testing.T) {
	t.Parallel()
	p := Platform{"linux", "arm64"}
	archive := writeTestArchive(t, t.TempDir(), "0.3.0", p)
	mirror := t.TempDir()
	// A file left by an earlier install of the same version must go.
	stale := UnpackedDir(mirror, "registry.terraform.io", "0.3.0", p)
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "leftover"), nil, 0o644); err != nil {
		t.Fatal(err)
	}

	dirs, err := Install(archive, mirror, "0.3.0", p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(mirror, "registry.terraform.io", "seed40294029", "msgraph", "0.3.0", "linux_arm64"),
		filepath.Join(mirror, "registry.opentofu.org", "seed40294029", "msgraph", "0.3.0", "linux_arm64"),
	}
	if !slices.Equal(dirs, want) {
		t.Fatalf("installed into %v, want %v", dirs, want)
	}
	zipHash, err := dirhash.HashZip(archive, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		info, err := os.Stat(filepath.Join(dir, "terraform-provider-msgraph_v0.3.0"))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o100 == 0 {
			t.Errorf("%s: binary mode %v is not executable", dir, info.Mode())
		}
		dirHash, err := dirhash.HashDir(dir, "", dirhash.Hash1)
		if err != nil {
			t.Fatal(err)
		}
		if dirHash != zipHash {
			t.Errorf("%s: h1 %s, the archive's %s", dir, dirHash, zipHash)
		}
	}
	if _, err := os.Stat(filepath.Join(stale, "leftover")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the earlier install's leftover is still there (%v)", err)
	}
}

func TestInstallRefusesAnotherArchive(t *testing.T) {
	t.Parallel()
	archive := writeTestArchive(t, t.TempDir(), "0.3.0", Platform{"linux", "arm64"})
	if _, err := Install(archive, t.TempDir(), "0.4.0", Platform{"linux", "arm64"}); err == nil {
		t.Error("installing a 0.3.0 archive as 0.4.0: want an error")
	}
}
