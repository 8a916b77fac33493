package release

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// TestReleaseSmoke installs this machine's release archive the way a user
// installs a downloaded release, and uses it: the archives are built as
// make release builds them, the provider archive is put into a
// filesystem_mirror, and the CLI (TF_ACC_TERRAFORM_PATH: Terraform, or
// OpenTofu when TF_ACC_PROVIDER_HOST says so) inits a plain configuration
// whose lock file holds only the SHA256SUMS checksum, so that init fails
// unless the archive is the one SHA256SUMS lists. It then applies,
// re-plans (no changes) and destroys against the emulator from the
// emulator's own release archive, and checks that the provider reported the
// CHANGELOG.md version in its user agent.
func TestReleaseSmoke(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC is not set: the release smoke test builds the release archive and runs a real CLI (make test sets it)")
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Fatal(`TF_ACC_TERRAFORM_PATH must name a terraform or tofu binary: eval "$(bash scripts/find-cli.sh)"`)
	}
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = Hostnames[0]
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	version, err := ReadChangelogFile(filepath.Join(root, ChangelogFile))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	native := Native()

	// The archives, exactly as make release builds them.
	dist := t.TempDir()
	commit, modTime, ok := SourceCommit(ctx, root)
	if !ok {
		modTime = version.Date
	}
	build := Builder{Root: root, Out: dist, Version: version.Number, Commit: commit, ModTime: modTime, Log: testLog{t}}
	if _, err := build.Build(ctx, []Platform{native}); err != nil {
		t.Fatal(err)
	}
	sumsPath := filepath.Join(dist, SumsFile(version.Number))
	if err := VerifySums(sumsPath); err != nil {
		t.Fatal(err)
	}
	sums, err := ReadSums(sumsPath)
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dist, ProviderArchive(version.Number, native))
	archiveSum := sums[filepath.Base(archive)]
	if archiveSum == "" {
		t.Fatalf("%s does not list %s", filepath.Base(sumsPath), filepath.Base(archive))
	}

	// A packed filesystem mirror: the archive as downloaded, under the
	// provider's address.
	mirror := t.TempDir()
	mirrorDir := filepath.Join(mirror, host, Namespace, ProviderType)
	if err := os.MkdirAll(mirrorDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(archive, filepath.Join(mirrorDir, filepath.Base(archive)), 0o644); err != nil {
		t.Fatal(err)
	}

	emulatorBinary := unzipOne(t, filepath.Join(dist, EmulatorArchive(version.Number, native)), EmulatorBinary(native))
	const token = "release-smoke-token"
	emu := startEmulator(t, emulatorBinary, token)
	proxy := testfakes.NewGraphProxy(t, emu.Endpoint)

	home := t.TempDir()
	cliConfig := filepath.Join(home, "cli.tfrc")
	writeFile(t, cliConfig, fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))
	work := t.TempDir()
	address := host + "/" + Namespace + "/" + ProviderType
	writeFile(t, filepath.Join(work, "main.tf"), fmt.Sprintf(smokeConfig, version.Number))
	writeFile(t, filepath.Join(work, ".terraform.lock.hcl"), fmt.Sprintf(
		"provider %q {\n  version     = %q\n  constraints = %q\n  hashes = [\n    \"zh:%s\",\n  ]\n}\n",
		address, version.Number, version.Number, archiveSum))

	env := cliEnv(home, cliConfig, proxy.Endpoint, token, emu.GroupID)
	run := func(args ...string) string {
		t.Helper()
		out, err := runCLI(ctx, cli, work, env, args...)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", filepath.Base(cli), strings.Join(args, " "), err, out)
		}
		t.Logf("%s %s:\n%s", filepath.Base(cli), strings.Join(args, " "), out)
		return out
	}

	run("init", "-input=false", "-no-color")
	lock, err := os.ReadFile(filepath.Join(work, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	h1, err := dirhash.HashZip(archive, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"zh:` + archiveSum + `"`, `"` + h1 + `"`, `version     = "` + version.Number + `"`} {
		if !strings.Contains(string(lock), want) {
			t.Errorf("the lock file after init has no %s:\n%s", want, lock)
		}
	}
	var selections struct {
		ProviderSelections map[string]string `json:"provider_selections"`
	}
	if err := json.Unmarshal([]byte(run("version", "-json")), &selections); err != nil {
		t.Fatal(err)
	}
	if got := selections.ProviderSelections[address]; got != version.Number {
		t.Errorf("the CLI selected %s %q, want %q", address, got, version.Number)
	}

	run("apply", "-auto-approve", "-input=false", "-no-color")
	out, err := runCLI(ctx, cli, work, env, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("the plan after apply is not empty (%v):\n%s", err, out)
	}
	t.Logf("%s plan -detailed-exitcode: exit 0", filepath.Base(cli))
	run("destroy", "-auto-approve", "-input=false", "-no-color")

	if n := emu.conversationCount(t, token); n != 0 {
		t.Errorf("the emulator still holds %d conversations after destroy", n)
	}
	requests := proxy.Requests()
	if len(requests) == 0 {
		t.Fatal("the provider sent no request through the proxy")
	}
	wantAgent := ProviderName + "/" + version.Number
	for _, r := range requests {
		if !strings.Contains(r.UserAgent, wantAgent) {
			t.Fatalf("%s %s: User-Agent %q does not name %s", r.Method, r.Path, r.UserAgent, wantAgent)
		}
	}
	t.Logf("%d Graph requests, each with a User-Agent naming %s", len(requests), wantAgent)
}

// smokeConfig is a plain configuration as a user writes it, pinned to the
// version under test (%s).
const smokeConfig = `terraform {
  required_providers {
    msgraph = {
      source  = "seed40294029/msgraph"
      version = %q
    }
  }
}

provider "msgraph" {}

variable "group_id" {
  type = string
}

resource "msgraph_group_conversation" "smoke" {
  group_id = var.group_id
  topic    = "Release smoke test"
  body     = { content = "<p>Installed from the release archive.</p>" }
}

resource "msgraph_group_conversation_thread" "locked" {
  group_id        = var.group_id
  conversation_id = msgraph_group_conversation.smoke.id
  topic           = msgraph_group_conversation.smoke.topic
  body            = { content_type = "text", content = "No replies here." }
  is_locked       = true
}
`

// cliEnv is the CLI's environment: this process's, without anything that
// could make the CLI find a provider elsewhere or talk to the internet.
func cliEnv(home, cliConfig, endpoint, token, groupID string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "HOME", name == "TF_CLI_CONFIG_FILE", name == "TERRAFORM_CONFIG", name == "TF_PLUGIN_CACHE_DIR",
			name == "XDG_DATA_HOME", name == "XDG_CONFIG_HOME", strings.HasPrefix(name, "TF_LOG"),
			strings.HasPrefix(name, "ARM_"), strings.HasPrefix(name, "TF_VAR_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"HOME="+home,
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"ARM_MSGRAPH_ENDPOINT="+endpoint,
		"ARM_ACCESS_TOKEN="+token,
		"TF_VAR_group_id="+groupID,
	)
}

// runCLI runs one CLI command in dir, bounded so that a hung command fails
// the test instead of its whole package.
func runCLI(ctx context.Context, cli, dir string, env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, append([]string{"-chdir=" + dir}, args...)...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// emulatorProcess is a running msgraph-emulator.
type emulatorProcess struct {
	Endpoint string `json:"endpoint"`
	GroupID  string `json:"group_id"`
}

// startEmulator starts the emulator binary on loopback and waits for its
// ready file, as users' scripts do; the test's cleanup stops it.
func startEmulator(t *testing.T, binary, token string) emulatorProcess {
	t.Helper()
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready.json")
	// A file rather than a buffer, so that it can be read while the
	// emulator runs.
	stderr, err := os.Create(filepath.Join(dir, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	logged := func() string {
		data, _ := os.ReadFile(stderr.Name())
		return string(data)
	}
	cmd := exec.Command(binary, "-token", token, "-ready-file", ready)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed once the process is gone; waitErr says how it ended.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	// A bound on start-up, not a timing target: the emulator writes the
	// file once it listens, normally within milliseconds.
	deadline := time.After(2 * time.Minute)
	for {
		data, err := os.ReadFile(ready)
		if err == nil && len(data) > 0 {
			var p emulatorProcess
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatalf("ready file: %v: %s", err, data)
			}
			return p
		}
		select {
		case <-exited:
			t.Fatalf("the emulator exited before it was ready (%v): %s", waitErr, logged())
		case <-deadline:
			t.Fatalf("the emulator wrote no ready file within 2 minutes: %s", logged())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// conversationCount asks the emulator, as Graph is asked, how many
// conversations its group holds.
func (p emulatorProcess) conversationCount(t *testing.T, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.Endpoint+"/groups/"+p.GroupID+"/conversations", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Value    []json.RawMessage `json:"value"`
		NextLink string            `json:"@odata.nextLink"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("listing conversations: HTTP %d, %v", resp.StatusCode, err)
	}
	if list.NextLink != "" {
		return len(list.Value) + 1 // more than one page: not empty
	}
	return len(list.Value)
}

// unzipOne extracts the named file of a zip into a temporary directory.
func unzipOne(t *testing.T, archive, name string) string {
	t.Helper()
	r, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name != name {
			continue
		}
		in, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		path := filepath.Join(t.TempDir(), name)
		out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Fatalf("%s has no %s", archive, name)
	return ""
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testLog sends the build's progress to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
