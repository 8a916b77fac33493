package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator/emulatortest"
	"github.com/seed40294029/terraform-provider-msgraph/internal/process"
)

// testAccProtoV6ProviderFactories serves the provider in process to the real
// CLI that terraform-plugin-testing drives.
var testAccProtoV6ProviderFactories = protoV6ProviderFactories(&msgraphProvider{version: "test", commit: "test", timing: testTiming})

// protoV6ProviderFactories serves p as main.go does (process.Serve): the
// framework's server with each RPC's context scoped to the RPC.
func protoV6ProviderFactories(p provider.Provider) map[string]func() (tfprotov6.ProviderServer, error) {
	server := process.NewProtocol6(p)
	return map[string]func() (tfprotov6.ProviderServer, error){
		"msgraph": func() (tfprotov6.ProviderServer, error) { return server(), nil },
	}
}

// testTiming paces the Graph client for the emulator, whose invisibility
// windows in these tests last at most a few seconds: backoff starts at
// 100 ms, and a conversation missing for 5 s after its create is taken as
// not created (production waits 30 s).
var testTiming = clientTiming{retryBaseDelay: 100 * time.Millisecond, visibilityGrace: 5 * time.Second}

// The shared test emulator's tokens (emulatortest), by the names this
// package's tests use.
const (
	testUserToken = emulatortest.UserToken
	testAppToken  = emulatortest.AppToken
	testUserName  = emulatortest.UserName
)

func TestMain(m *testing.M) {
	// This kind of machine exports TF_CLI_CONFIG_FILE pointing at a file
	// that does not exist; the CLI then prints a warning that breaks
	// terraform-plugin-testing's version check. Point it at an empty file.
	if cfg := os.Getenv("TF_CLI_CONFIG_FILE"); cfg != "" {
		if _, err := os.Stat(cfg); err != nil {
			dir, err := os.MkdirTemp("", "msgraph-cli-config")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			empty := filepath.Join(dir, "empty.tfrc")
			if err := os.WriteFile(empty, nil, 0o600); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			os.Setenv("TF_CLI_CONFIG_FILE", empty)
			code := m.Run()
			os.RemoveAll(dir)
			os.Exit(code)
		}
	}
	os.Exit(m.Run())
}

// testEnv is the shared test emulator (emulatortest.Start: those tokens, a
// Microsoft 365 group and a security group, closed when the test ends), with
// the provider block that points at it.
type testEnv struct {
	server   *emulator.Server
	endpoint string
	// group is a Microsoft 365 group; securityGroup has no mailbox.
	group         emulator.Group
	securityGroup emulator.Group
}

// newTestEnv starts the emulator for an acceptance test that needs it, and
// skips the test in a live run (make testacc-live).
func newTestEnv(t *testing.T, opts emulator.Options) *testEnv {
	t.Helper()
	skipInLiveRun(t)
	e := emulatortest.Start(t, opts)
	return &testEnv{server: e.Server, endpoint: e.Endpoint, group: e.Group, securityGroup: e.SecurityGroup}
}

// providerConfig configures the provider for this emulator with a token.
func (e *testEnv) providerConfig(token string) string {
	return fmt.Sprintf(`
provider "msgraph" {
  endpoint     = %q
  access_token = %q
}
`, e.endpoint, token)
}
