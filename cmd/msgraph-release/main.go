// Command msgraph-release is `make release` and `make install`: it builds
// the provider's release archives offline, the way .goreleaser.yml
// publishes them, and installs the machine's own archive where Terraform and
// OpenTofu find it without any CLI configuration.
//
//	msgraph-release version [-expect V]           print the version (CHANGELOG.md)
//	msgraph-release build [-out dist] [-platforms all|native|os_arch,...]
//	msgraph-release install [-dir DIR]            build for this machine and install
//
// The version is the newest released section of CHANGELOG.md unless
// -version gives another (such as "0.2.0-dev" between releases).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/release"
)

const usage = `usage:
  msgraph-release version [-expect V]
  msgraph-release build [-out DIR] [-platforms LIST] [-version V]
  msgraph-release install [-dir DIR] [-version V]
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "msgraph-release:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	command, args := args[0], args[1:]
	fs := flag.NewFlagSet("msgraph-release "+command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "the release's `version` (default: the newest released section of CHANGELOG.md)")
	switch command {
	case "version":
		expect := fs.String("expect", "", "fail unless the version is this `version` (goreleaser passes the tag's)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		v, err := resolveVersion(root, *version)
		if err != nil {
			return err
		}
		if *expect != "" && *expect != v.Number {
			return fmt.Errorf("releasing %s, but CHANGELOG.md's newest release is %s: tag the changelog's version, or add a section for %s", *expect, v.Number, *expect)
		}
		fmt.Fprintln(stdout, v.Number)
		return nil
	case "build":
		out := fs.String("out", "dist", "output `directory`")
		list := fs.String("platforms", "all", "comma-separated `platforms` (os_arch), \"native\" or \"all\"")
		if err := fs.Parse(args); err != nil {
			return err
		}
		platforms, err := release.ParsePlatforms(*list)
		if err != nil {
			return err
		}
		v, err := resolveVersion(root, *version)
		if err != nil {
			return err
		}
		artifacts, err := builder(ctx, root, *out, v, stderr).Build(ctx, platforms)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "release %s in %s (bytes, file):\n", v.Number, *out)
		for _, a := range artifacts {
			fmt.Fprintf(stdout, "%12d  %s\n", a.Size, a.Name)
		}
		return nil
	case "install":
		dir := fs.String("dir", "", "local mirror `directory` (default: the one Terraform and OpenTofu search with no CLI configuration)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		v, err := resolveVersion(root, *version)
		if err != nil {
			return err
		}
		return install(ctx, root, *dir, v, stdout, stderr)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", command)
	}
}

// resolveVersion is -version when given, else CHANGELOG.md's.
func resolveVersion(root, flagVersion string) (release.Version, error) {
	if flagVersion != "" {
		if err := release.ValidVersion(flagVersion); err != nil {
			return release.Version{}, err
		}
		return release.Version{Number: flagVersion, Date: time.Now().UTC()}, nil
	}
	return release.ReadChangelogFile(filepath.Join(root, release.ChangelogFile))
}

// builder stamps the build with the commit checked out, as goreleaser does;
// without git, with "none" and the release date.
func builder(ctx context.Context, root, out string, v release.Version, log io.Writer) release.Builder {
	commit, when, ok := release.SourceCommit(ctx, root)
	if !ok {
		when = v.Date
	}
	return release.Builder{Root: root, Out: out, Version: v.Number, Commit: commit, ModTime: when, Log: log}
}

func install(ctx context.Context, root, dir string, v release.Version, stdout, stderr io.Writer) error {
	if dir == "" {
		var err error
		if dir, err = release.ImplicitMirrorDir(runtime.GOOS, os.Getenv); err != nil {
			return err
		}
	}
	work, err := os.MkdirTemp("", "msgraph-install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	native := release.Native()
	if _, err := builder(ctx, root, work, v, stderr).Build(ctx, []release.Platform{native}); err != nil {
		return err
	}
	dirs, err := release.Install(filepath.Join(work, release.ProviderArchive(v.Number, native)), dir, v.Number, native)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed %s %s for %s into:\n", release.ProviderName, v.Number, native)
	for _, d := range dirs {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	return nil
}

// moduleRoot is the directory of go.mod, found from the working directory
// up, so that the command works from anywhere in the checkout.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the provider's module (no go.mod found)")
		}
		dir = parent
	}
}
