package release

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
)

// ImplicitMirrorDir is a local mirror directory that both Terraform and
// OpenTofu search with no CLI configuration at all: "terraform.d/plugins"
// in the user's home directory ("~/.terraform.d/plugins"), or in %APPDATA%
// on Windows. (Both also search "~/.local/share/terraform/plugins" on
// Linux; OpenTofu's own XDG directory only when XDG_DATA_HOME is set.)
// Each CLI looks there under its own registry host, so Install writes both.
func ImplicitMirrorDir(goos string, getenv func(string) string) (string, error) {
	if goos == "windows" {
		appData := getenv("APPDATA")
		if appData == "" {
			return "", errors.New("APPDATA is not set: cannot find the CLI's plugin directory")
		}
		return filepath.Join(appData, "terraform.d", "plugins"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("HOME is not set: cannot find the CLI's plugin directory (~/.terraform.d/plugins)")
	}
	return filepath.Join(home, ".terraform.d", "plugins"), nil
}

// UnpackedDir is where an unpacked provider of the given version lives in a
// local mirror, for one registry host:
// {mirror}/{host}/seed40294029/msgraph/{version}/{os_arch}.
func UnpackedDir(mirror, host, version string, p Platform) string {
	return filepath.Join(mirror, host, Namespace, ProviderType, version, p.String())
}

// Install unpacks the provider archive into the mirror's unpacked layout
// for every registry host, replacing what was installed there for the same
// version and platform, and returns the directories it wrote. The unpacked
// files are exactly the archive's, so a lock file's "h1:" checksum of the
// installed provider is the release archive's.
func Install(archive, mirror, version string, p Platform) ([]string, error) {
	r, err := zip.OpenReader(archive)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	want := ProviderBinary(version, p)
	found := false
	for _, f := range r.File {
		if f.Name == want {
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("%s has no %s: is it the %s archive of version %s?", archive, want, p, version)
	}
	var dirs []string
	for _, host := range Hostnames {
		dir := UnpackedDir(mirror, host, version, p)
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		for _, f := range r.File {
			if err := extract(f, dir); err != nil {
				return nil, fmt.Errorf("%s: %w", archive, err)
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs, nil
}

// extract writes one archive entry into dir. Release archives are flat;
// anything else (a directory, a path that climbs out) is refused.
func extract(f *zip.File, dir string) error {
	if f.Name != path.Base(f.Name) || f.Name == "." || f.Name == ".." || f.FileInfo().IsDir() {
		return fmt.Errorf("entry %q is not a plain file at the archive's root", f.Name)
	}
	in, err := f.Open()
	if err != nil {
		return err
	}
	defer in.Close()
	mode := f.Mode().Perm() | 0o600
	out, err := os.OpenFile(filepath.Join(dir, f.Name), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
