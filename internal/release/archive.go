package release

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// archiveFile is one file to put at the root of an archive.
type archiveFile struct {
	// Name inside the archive; Source is the file on disk.
	Name, Source string
	Mode         fs.FileMode
}

// writeZip writes files into a new zip at path, in the given order, every
// entry stamped with modTime, so that the same inputs give the same bytes.
func writeZip(path string, files []archiveFile, modTime time.Time) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	w := zip.NewWriter(out)
	for _, f := range files {
		if err := addToZip(w, f, modTime); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return w.Close()
}

func addToZip(w *zip.Writer, f archiveFile, modTime time.Time) error {
	in, err := os.Open(f.Source)
	if err != nil {
		return err
	}
	defer in.Close()
	header := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: modTime.UTC()}
	header.SetMode(f.Mode)
	entry, err := w.CreateHeader(header)
	if err != nil {
		return err
	}
	_, err = io.Copy(entry, in)
	return err
}

// fileSHA256 is the hex SHA-256 of the file at path.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeSums writes a SHA256SUMS file for the named files in dir, sorted by
// name, in the format of sha256sum and goreleaser: "<hex>  <name>".
func writeSums(dir, sumsName string, names []string) error {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var b strings.Builder
	for _, name := range sorted {
		sum, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return os.WriteFile(filepath.Join(dir, sumsName), []byte(b.String()), 0o644)
}

// ReadSums reads a SHA256SUMS file into a map from file name to hex digest.
func ReadSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		sum, name, ok := strings.Cut(scanner.Text(), "  ")
		if !ok || len(sum) != sha256.Size*2 || name == "" {
			return nil, fmt.Errorf("%s:%d: not \"<sha256>  <file name>\"", path, line)
		}
		if _, dup := sums[name]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", path, line, name)
		}
		sums[name] = sum
	}
	return sums, scanner.Err()
}

// VerifySums checks every file that the SHA256SUMS file at path lists, in
// the same directory, against its digest.
func VerifySums(path string) error {
	sums, err := ReadSums(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	for name, want := range sums {
		got, err := fileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: SHA-256 %s, but %s lists %s", name, got, filepath.Base(path), want)
		}
	}
	return nil
}
