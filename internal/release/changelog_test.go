package release

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadChangelog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, changelog string
		want            string // version, or "" when an error is expected
		wantErr         string
	}{
		{
			name:      "newest released section after Unreleased",
			changelog: "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- x\n\n## [1.2.0] - 2026-03-01\n\n- y\n\n## [1.1.0] - 2026-01-31\n",
			want:      "1.2.0",
		},
		{
			name:      "first release, no Unreleased section",
			changelog: "# Changelog\n\n## [0.1.0] - 2026-12-04\n",
			want:      "0.1.0",
		},
		{
			name:      "pre-release",
			changelog: "## [Unreleased]\n## [2.0.0-rc.1] - 2026-05-05\n",
			want:      "2.0.0-rc.1",
		},
		{
			name:      "only Unreleased",
			changelog: "# Changelog\n\n## [Unreleased]\n\n- x\n",
			wantErr:   "no released version",
		},
		{
			name:      "a version with a v",
			changelog: "## [v1.0.0] - 2026-01-01\n",
			wantErr:   "not a semantic version",
		},
		{
			name:      "a heading without a date",
			changelog: "## [Unreleased]\n## [1.0.0]\n",
			wantErr:   "neither",
		},
		{
			name:      "an impossible date",
			changelog: "## [1.0.0] - 2026-02-30\n",
			wantErr:   "release date",
		},
		{
			name:      "leading zeros",
			changelog: "## [1.02.0] - 2026-01-01\n",
			wantErr:   "not a semantic version",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadChangelog(strings.NewReader(tt.changelog))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %+v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Number != tt.want {
				t.Fatalf("got %+v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

// The repository's own changelog has a released version with a date, which
// is what make release, make install and the release smoke test read.
func TestRepositoryChangelogHasARelease(t *testing.T) {
	t.Parallel()
	v, err := ReadChangelogFile(filepath.Join("..", "..", ChangelogFile))
	if err != nil {
		t.Fatal(err)
	}
	if v.Date.After(time.Now().Add(48 * time.Hour)) {
		t.Errorf("release %s is dated %s, in the future", v.Number, v.Date.Format(time.DateOnly))
	}
}
