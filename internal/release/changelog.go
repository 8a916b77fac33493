package release

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// Version is a released version of the provider as CHANGELOG.md records it.
type Version struct {
	// Number is the semantic version without a "v": "0.1.0".
	Number string
	// Date is the release date of the section's heading.
	Date time.Time
}

// ChangelogFile is where the version lives, relative to the module root.
const ChangelogFile = "CHANGELOG.md"

// releaseHeading matches a released section's heading in the Keep a
// Changelog format: "## [0.1.0] - 2026-12-04".
var releaseHeading = regexp.MustCompile(`^## \[([^\]]+)\] - (\d{4}-\d{2}-\d{2})\s*$`)

// semver is a release or pre-release version (no build metadata: the
// registries do not keep it apart).
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`)

// ValidVersion reports whether v can be a release's version.
func ValidVersion(v string) error {
	if !semver.MatchString(v) {
		return fmt.Errorf("%q is not a semantic version such as 1.2.3 or 1.3.0-dev", v)
	}
	return nil
}

// ReadChangelog returns the newest released version: the first "## [x.y.z]
// - date" heading. The "## [Unreleased]" section, which has no date, is
// skipped. The changelog is the one place the version number is written;
// everything else reads it from here.
func ReadChangelog(r io.Reader) (Version, error) {
	scanner := bufio.NewScanner(r)
	line := 0
	for scanner.Scan() {
		line++
		text := scanner.Text()
		if !strings.HasPrefix(text, "## ") {
			continue
		}
		m := releaseHeading.FindStringSubmatch(text)
		if m == nil {
			if strings.HasPrefix(text, "## [Unreleased]") {
				continue
			}
			return Version{}, fmt.Errorf("line %d: %q is neither \"## [Unreleased]\" nor a release heading such as \"## [1.2.3] - 2026-01-31\"", line, text)
		}
		if err := ValidVersion(m[1]); err != nil {
			return Version{}, fmt.Errorf("line %d: %w", line, err)
		}
		date, err := time.Parse(time.DateOnly, m[2])
		if err != nil {
			return Version{}, fmt.Errorf("line %d: release date: %w", line, err)
		}
		return Version{Number: m[1], Date: date}, nil
	}
	if err := scanner.Err(); err != nil {
		return Version{}, err
	}
	return Version{}, fmt.Errorf("no released version: add a heading such as \"## [1.2.3] - 2026-01-31\" below \"## [Unreleased]\"")
}

// ReadChangelogFile reads the version from the changelog at path.
func ReadChangelogFile(path string) (Version, error) {
	f, err := os.Open(path)
	if err != nil {
		return Version{}, err
	}
	defer f.Close()
	v, err := ReadChangelog(f)
	if err != nil {
		return Version{}, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
