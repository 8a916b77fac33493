// Package emulatortest starts the Graph emulator for a Go test: on a free
// loopback port, accepting a signed-in user's token and an application's,
// holding a Microsoft 365 group and a security group, and closed when the
// test ends. The tests of internal/graph and internal/provider share it, so
// they meet the same service, the same principals and the same groups.
//
// It is for tests only: no package outside a _test.go file imports it
// (TestOnlyTestsImportIt checks every package of the module). Like the
// emulator, it imports nothing from this repository but internal/emulator.
package emulatortest

import (
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The tokens the emulator accepts unless the test gives its own, and who
// they stand for.
const (
	// UserToken is the bearer token of a signed-in (delegated) user, User.
	UserToken = "emulatortest-user-token"
	// UserName and UserAddress are User's display name and address.
	UserName    = "Megan Bowen"
	UserAddress = "megan.bowen@contoso.example"
	// AppToken is an unsigned JWT shaped like an application
	// (client-credentials) token: idtyp "app", roles and appid, no scp. It
	// stands for App, which may read but not create.
	AppToken = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." +
		"eyJpZHR5cCI6ImFwcCIsInJvbGVzIjpbIkdyb3VwLlJlYWRXcml0ZS5BbGwiXSwiYXBwaWQiOiIxMTExMTExMS0xMTExLTExMTEtMTExMS0xMTExMTExMTExMTEifQ."
)

var (
	// User is the principal of UserToken.
	User = emulator.Principal{DisplayName: UserName, Address: UserAddress}
	// App is the principal of AppToken.
	App = emulator.Principal{DisplayName: "Provisioning App", AppOnly: true}
)

// Tokens returns a new map of UserToken and AppToken to their principals,
// for a test that adds tokens of its own to them.
func Tokens() map[string]emulator.Principal {
	return map[string]emulator.Principal{UserToken: User, AppToken: App}
}

// Env is an emulator serving a test, with the groups Start added.
type Env struct {
	Server *emulator.Server
	// Endpoint is the base URL, with /v1.0, that a Graph client points at.
	Endpoint string
	// Group is a Microsoft 365 group ("Marketing", mail nickname
	// "marketing"): it has a mailbox, so conversations can be posted to it.
	Group emulator.Group
	// SecurityGroup is a security group ("VPN Users", mail nickname
	// "vpnusers"): it has no mailbox.
	SecurityGroup emulator.Group
}

// Start serves an emulator with opts for the test (see Serve), accepting
// Tokens when opts.Tokens is nil, and adds Group and SecurityGroup.
func Start(tb testing.TB, opts emulator.Options) *Env {
	tb.Helper()
	if opts.Tokens == nil {
		opts.Tokens = Tokens()
	}
	server, endpoint := Serve(tb, opts)
	return &Env{
		Server:   server,
		Endpoint: endpoint,
		Group: server.AddGroup(emulator.Group{
			DisplayName: "Marketing", MailNickname: "marketing", Mail: "marketing@contoso.example",
			GroupTypes: []string{"Unified"}, MailEnabled: true,
		}),
		SecurityGroup: server.AddGroup(emulator.Group{
			DisplayName: "VPN Users", MailNickname: "vpnusers", SecurityEnabled: true,
		}),
	}
}

// Serve starts an emulator with opts, as given (no tokens, no groups), on a
// free loopback port, and closes it when the test and its subtests end. It
// returns the server and its endpoint.
func Serve(tb testing.TB, opts emulator.Options) (*emulator.Server, string) {
	tb.Helper()
	server := emulator.New(opts)
	endpoint, err := server.Listen("127.0.0.1:0")
	if err != nil {
		tb.Fatalf("starting the Graph emulator: %v", err)
	}
	tb.Cleanup(func() { _ = server.Close() })
	return server, endpoint
}
