package release

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// The parts of .goreleaser.yml that decide what a release contains.
type goreleaserConfig struct {
	ProjectName string `yaml:"project_name"`
	Before      struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID           string             `yaml:"id"`
		Main         string             `yaml:"main"`
		Env          []string           `yaml:"env"`
		Flags        []string           `yaml:"flags"`
		LDFlags      []string           `yaml:"ldflags"`
		GOOS         []string           `yaml:"goos"`
		GOARCH       []string           `yaml:"goarch"`
		GOAMD64      []string           `yaml:"goamd64"`
		GOARM        []string           `yaml:"goarm"`
		ModTimestamp string             `yaml:"mod_timestamp"`
		Ignore       []goreleaserTarget `yaml:"ignore"`
		Binary       string             `yaml:"binary"`
	} `yaml:"builds"`
	Archives []struct {
		ID           string   `yaml:"id"`
		IDs          []string `yaml:"ids"`
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
		Files        []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string                `yaml:"name_template"`
		Algorithm    string                `yaml:"algorithm"`
		ExtraFiles   []goreleaserExtraFile `yaml:"extra_files"`
	} `yaml:"checksum"`
	Release struct {
		ExtraFiles []goreleaserExtraFile `yaml:"extra_files"`
	} `yaml:"release"`
}

type goreleaserTarget struct {
	GOOS   string `yaml:"goos"`
	GOARCH string `yaml:"goarch"`
}

type goreleaserExtraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

func readGoreleaser(t *testing.T) goreleaserConfig {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg goreleaserConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf(".goreleaser.yml: %v", err)
	}
	return cfg
}

// templateData is what goreleaser's templates see, for the fields this
// configuration uses.
type templateData struct {
	ProjectName, Version, Commit, Os, Arch string
}

// render expands a goreleaser template (Go's text/template syntax).
func render(t *testing.T, text string, data templateData) string {
	t.Helper()
	tmpl, err := template.New("goreleaser").Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("template %q: %v", text, err)
	}
	return b.String()
}

// goPlatforms is every os/arch pair the go command can build for;
// goreleaser leaves out the pairs of its matrix that are not among them
// (darwin/arm).
func goPlatforms(t *testing.T) map[Platform]bool {
	t.Helper()
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatalf("go tool dist list: %v", err)
	}
	valid := map[Platform]bool{}
	for line := range strings.FieldsSeq(string(out)) {
		goos, goarch, _ := strings.Cut(line, "/")
		valid[Platform{OS: goos, Arch: goarch}] = true
	}
	return valid
}

// TestGoreleaserAgreesWithMakeRelease holds .goreleaser.yml, which
// publishes releases, and make release, which builds them offline, to the
// same archives: names, platforms, binaries, build flags and contents.
func TestGoreleaserAgreesWithMakeRelease(t *testing.T) {
	cfg := readGoreleaser(t)
	valid := goPlatforms(t)
	const version, commit = "9.8.7", "0123456789abcdef0123456789abcdef01234567"

	if cfg.ProjectName != ProviderName {
		t.Errorf("project_name = %q, want %q", cfg.ProjectName, ProviderName)
	}
	// goreleaser takes the version from the tag; a hook refuses a tag that
	// is not CHANGELOG.md's newest release.
	if !slices.Contains(cfg.Before.Hooks, "go run ./cmd/msgraph-release version -expect {{ .Version }}") {
		t.Errorf("before.hooks %q do not check the tag against CHANGELOG.md", cfg.Before.Hooks)
	}
	if len(cfg.Builds) != 2 {
		t.Fatalf("%d builds, want 2 (provider, emulator)", len(cfg.Builds))
	}
	programs := []struct {
		id, main, ldflags string
		binary            func(Platform) string
		archive           func(Platform) string
	}{
		{"provider", ProviderMain, ProviderLDFlags(version, commit),
			func(p Platform) string { return ProviderBinary(version, p) },
			func(p Platform) string { return ProviderArchive(version, p) }},
		{"emulator", EmulatorMain, EmulatorLDFlags,
			EmulatorBinary,
			func(p Platform) string { return EmulatorArchive(version, p) }},
	}
	for i, prog := range programs {
		build := cfg.Builds[i]
		t.Run(prog.id, func(t *testing.T) {
			if build.ID != prog.id || build.Main != prog.main {
				t.Errorf("build %d is %q of %q, want %q of %q", i, build.ID, build.Main, prog.id, prog.main)
			}
			// The matrix, less what it ignores and what Go cannot build.
			var matrix []Platform
			for _, goos := range build.GOOS {
				for _, goarch := range build.GOARCH {
					p := Platform{OS: goos, Arch: goarch}
					ignored := slices.Contains(build.Ignore, goreleaserTarget{GOOS: goos, GOARCH: goarch})
					if !ignored && valid[p] {
						matrix = append(matrix, p)
					}
				}
			}
			sort.Slice(matrix, func(a, b int) bool { return matrix[a].String() < matrix[b].String() })
			if !slices.Equal(matrix, Platforms()) {
				t.Errorf("goreleaser builds %v, make release %v", matrix, Platforms())
			}

			// Environment and flags: the instruction-set levels too.
			wantEnv := map[string]bool{"CGO_ENABLED=0": true}
			for _, p := range Platforms() {
				for _, kv := range BuildEnv(p) {
					if !strings.HasPrefix(kv, "GOOS=") && !strings.HasPrefix(kv, "GOARCH=") {
						wantEnv[kv] = true
					}
				}
			}
			gotEnv := map[string]bool{}
			for _, kv := range build.Env {
				gotEnv[kv] = true
			}
			for _, v := range build.GOAMD64 {
				gotEnv["GOAMD64="+v] = true
			}
			for _, v := range build.GOARM {
				gotEnv["GOARM="+v] = true
			}
			// GO386 and GOARM64 are pinned to the defaults of Go and
			// goreleaser, which this configuration leaves implicit.
			gotEnv["GO386="+GO386], gotEnv["GOARM64="+GOARM64] = true, true
			if !maps.Equal(gotEnv, wantEnv) {
				t.Errorf("build environment: goreleaser %v, make release %v",
					slices.Sorted(maps.Keys(gotEnv)), slices.Sorted(maps.Keys(wantEnv)))
			}
			if !slices.Equal(build.Flags, BuildFlags) {
				t.Errorf("flags: goreleaser %v, make release %v", build.Flags, BuildFlags)
			}
			if len(build.LDFlags) != 1 {
				t.Fatalf("ldflags: %v, want one line", build.LDFlags)
			}
			data := templateData{ProjectName: cfg.ProjectName, Version: version, Commit: commit}
			if got := render(t, build.LDFlags[0], data); got != prog.ldflags {
				t.Errorf("ldflags: goreleaser %q, make release %q", got, prog.ldflags)
			}
			if build.ModTimestamp != "{{ .CommitTimestamp }}" {
				t.Errorf("mod_timestamp = %q; make release stamps the commit's time", build.ModTimestamp)
			}

			archive := cfg.Archives[i]
			if archive.ID != prog.id || !slices.Equal(archive.IDs, []string{prog.id}) {
				t.Errorf("archive %d is %q of %v, want %q of [%s]", i, archive.ID, archive.IDs, prog.id, prog.id)
			}
			if !slices.Equal(archive.Formats, []string{"zip"}) {
				t.Errorf("archive formats %v, want [zip]", archive.Formats)
			}
			if !slices.Equal(archive.Files, ArchiveExtras) {
				t.Errorf("archive files: goreleaser %v, make release %v", archive.Files, ArchiveExtras)
			}
			for _, p := range Platforms() {
				data := templateData{ProjectName: cfg.ProjectName, Version: version, Commit: commit, Os: p.OS, Arch: p.Arch}
				// goreleaser appends .exe to Windows binaries itself.
				binary := render(t, build.Binary, data)
				if p.OS == "windows" {
					binary += ".exe"
				}
				if want := prog.binary(p); binary != want {
					t.Errorf("%s binary: goreleaser %q, make release %q", p, binary, want)
				}
				if got, want := render(t, archive.NameTemplate, data)+".zip", prog.archive(p); got != want {
					t.Errorf("%s archive: goreleaser %q, make release %q", p, got, want)
				}
			}
		})
	}
	if len(cfg.Archives) != len(programs) {
		t.Errorf("%d archives, want %d", len(cfg.Archives), len(programs))
	}

	data := templateData{ProjectName: cfg.ProjectName, Version: version}
	if got, want := render(t, cfg.Checksum.NameTemplate, data), SumsFile(version); got != want || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum file: goreleaser %q (%s), make release %q (sha256)", got, cfg.Checksum.Algorithm, want)
	}
	for name, extras := range map[string][]goreleaserExtraFile{"checksum": cfg.Checksum.ExtraFiles, "release": cfg.Release.ExtraFiles} {
		if len(extras) != 1 || extras[0].Glob != ManifestSource || render(t, extras[0].NameTemplate, data) != ManifestFile(version) {
			t.Errorf("%s.extra_files = %+v, want %s as %s", name, extras, ManifestSource, ManifestFile(version))
		}
	}
}
