package release

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// versionMentions are the places where the documentation has to name a
// release: a tag to check out, an archive to download, a lock file entry, a
// version constraint. Each pattern's group is compared with CHANGELOG.md's
// newest release (the whole version, or major.minor for constraints), so
// that releasing a new version without updating the docs fails make test
// instead of leaving instructions that install the previous one.
//
// A version constraint is this provider's only inside its own
// required_providers entry: the constraint of another provider (say
// hashicorp/azuread) is checked only against the source line above it.
var versionMentions = []struct {
	pattern *regexp.Regexp
	part    func(Version) string
	// ownSourceOnly: the mention counts only after this provider's source.
	ownSourceOnly bool
}{
	{regexp.MustCompile(`git checkout v(\d+\.\d+\.\d+)\b`), fullVersion, false},
	{regexp.MustCompile(`ref: v(\d+\.\d+\.\d+)\b`), fullVersion, false},
	{regexp.MustCompile(`(?:terraform-provider-msgraph|msgraph-emulator)_(\d+\.\d+\.\d+)_`), fullVersion, false},
	{regexp.MustCompile(`\bversion=(\d+\.\d+\.\d+)\b`), fullVersion, false},
	{regexp.MustCompile(`version +=  *"(\d+\.\d+\.\d+)"`), fullVersion, false},
	{regexp.MustCompile(`"~> (\d+\.\d+)"`), majorMinor, true},
}

// sourceLine is a required_providers entry's source.
var sourceLine = regexp.MustCompile(`source\s*=\s*"([^"]+)"`)

func fullVersion(v Version) string { return v.Number }

func majorMinor(v Version) string {
	parts := strings.SplitN(v.Number, ".", 3)
	return parts[0] + "." + parts[1]
}

func TestDocsNameTheCurrentRelease(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	v, err := ReadChangelogFile(filepath.Join(root, ChangelogFile))
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "README.md")}
	for _, dir := range []string{"docs", "templates"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".tmpl")) {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mentions := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		scanner := bufio.NewScanner(f)
		source := ""
		for line := 1; scanner.Scan(); line++ {
			if m := sourceLine.FindStringSubmatch(scanner.Text()); m != nil {
				source = m[1]
			}
			for _, m := range versionMentions {
				if m.ownSourceOnly && source != "" && !strings.HasSuffix(source, "seed40294029/msgraph") {
					continue
				}
				for _, match := range m.pattern.FindAllStringSubmatch(scanner.Text(), -1) {
					mentions++
					if want := m.part(v); match[1] != want {
						t.Errorf("%s:%d: %q names %s, but the release is %s (CHANGELOG.md)", path, line, match[0], match[1], want)
					}
				}
			}
		}
		f.Close()
		if err := scanner.Err(); err != nil {
			t.Fatal(err)
		}
	}
	// The patterns must still find the docs' mentions; otherwise this test
	// would pass by matching nothing.
	if mentions < 5 {
		t.Errorf("found %d mentions of a release in the docs; the patterns no longer match them", mentions)
	}
}
