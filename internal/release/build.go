package release

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Builder builds release archives from the module at Root: for each
// platform the provider's and the emulator's zip, then the manifest and the
// SHA256SUMS file over all of them. It needs only the go command; nothing
// is signed (the release pipeline signs SHA256SUMS with its key).
type Builder struct {
	// Root is the module's root directory; Out is where the files go.
	Root, Out string
	// Version is the release's version ("0.1.0"); Commit is the commit it
	// was built from ("none" when unknown).
	Version, Commit string
	// ModTime stamps the binaries and every archive entry, so that the same
	// commit gives the same archives.
	ModTime time.Time
	// Go is the go command (default "go"); Log receives progress and the
	// compiler's output (default: discarded).
	Go  string
	Log io.Writer
}

// Artifact is one file a build wrote.
type Artifact struct {
	Name string // file name in the output directory
	Path string
	Size int64
}

// Build builds the archives for the given platforms and writes the
// manifest and the SHA256SUMS file. Earlier files of the same version in
// Out are replaced.
func (b Builder) Build(ctx context.Context, platforms []Platform) ([]Artifact, error) {
	if err := ValidVersion(b.Version); err != nil {
		return nil, err
	}
	if len(platforms) == 0 {
		return nil, errors.New("no platform to build")
	}
	if err := os.MkdirAll(b.Out, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "msgraph-release-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)

	var names []string
	for _, p := range platforms {
		built, err := b.buildPlatform(ctx, work, p)
		if err != nil {
			return nil, err
		}
		names = append(names, built...)
	}
	manifest := ManifestFile(b.Version)
	if err := copyFile(filepath.Join(b.Root, ManifestSource), filepath.Join(b.Out, manifest), 0o644); err != nil {
		return nil, err
	}
	names = append(names, manifest)
	sums := SumsFile(b.Version)
	if err := writeSums(b.Out, sums, names); err != nil {
		return nil, err
	}
	names = append(names, sums)

	artifacts := make([]Artifact, 0, len(names))
	for _, name := range names {
		path := filepath.Join(b.Out, name)
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		artifacts = append(artifacts, Artifact{Name: name, Path: path, Size: info.Size()})
	}
	return artifacts, nil
}

// buildPlatform compiles both programs for p and archives each with the
// extras; it returns the archives' names.
func (b Builder) buildPlatform(ctx context.Context, work string, p Platform) ([]string, error) {
	dir := filepath.Join(work, p.String())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	programs := []struct {
		main, binary, ldflags, archive string
	}{
		{ProviderMain, ProviderBinary(b.Version, p), ProviderLDFlags(b.Version, b.Commit), ProviderArchive(b.Version, p)},
		{EmulatorMain, EmulatorBinary(p), EmulatorLDFlags, EmulatorArchive(b.Version, p)},
	}
	var archives []string
	for _, prog := range programs {
		binary := filepath.Join(dir, prog.binary)
		b.logf("building %s for %s\n", prog.binary, p)
		if err := b.goBuild(ctx, p, prog.main, prog.ldflags, binary); err != nil {
			return nil, err
		}
		if err := os.Chtimes(binary, b.ModTime, b.ModTime); err != nil {
			return nil, err
		}
		files := []archiveFile{{Name: prog.binary, Source: binary, Mode: 0o755}}
		for _, extra := range ArchiveExtras {
			files = append(files, archiveFile{Name: extra, Source: filepath.Join(b.Root, extra), Mode: 0o644})
		}
		if err := writeZip(filepath.Join(b.Out, prog.archive), files, b.ModTime); err != nil {
			return nil, err
		}
		archives = append(archives, prog.archive)
	}
	return archives, nil
}

func (b Builder) goBuild(ctx context.Context, p Platform, pkg, ldflags, out string) error {
	goCmd := b.Go
	if goCmd == "" {
		goCmd = "go"
	}
	args := append([]string{"build"}, BuildFlags...)
	args = append(args, "-ldflags", ldflags, "-o", out, pkg)
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = b.Root
	cmd.Env = append(os.Environ(), BuildEnv(p)...)
	log := b.Log
	if log == nil {
		log = io.Discard
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s (%s): %w", strings.Join(args, " "), strings.Join(BuildEnv(p), " "), err)
	}
	return nil
}

func (b Builder) logf(format string, args ...any) {
	if b.Log != nil {
		fmt.Fprintf(b.Log, format, args...)
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, mode)
}

// SourceCommit returns the commit checked out at root and its commit time,
// as goreleaser's .Commit and .CommitTimestamp; without git (or outside a
// checkout) it returns "none" and ok false.
func SourceCommit(ctx context.Context, root string) (commit string, when time.Time, ok bool) {
	cmd := exec.CommandContext(ctx, "git", "-C", root, "log", "-1", "--format=%H %ct")
	out, err := cmd.Output()
	if err != nil {
		return "none", time.Time{}, false
	}
	hash, seconds, found := strings.Cut(strings.TrimSpace(string(out)), " ")
	unix, err := strconv.ParseInt(seconds, 10, 64)
	if !found || err != nil || hash == "" {
		return "none", time.Time{}, false
	}
	return hash, time.Unix(unix, 0).UTC(), true
}
