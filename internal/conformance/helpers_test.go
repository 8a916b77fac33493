package conformance

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator/emulatortest"
)

const testToken = "conformance-test-token"

var testUser = emulator.Principal{DisplayName: "Test User", Address: "test.user@contoso.example"}

// options builds the emulator's Options and the number of conversations to
// seed from parsed arguments, for an emulator in process.
func (f *emulatorFlags) options() (emulator.Options, int) {
	return emulator.Options{PageSize: f.pageSize, MaxPageSize: f.maxPageSize, Behaviour: f.behaviour}, f.seedConversations
}

// target is an emulator in process, as msgraph-emulator would be started
// with a mode's arguments.
type target struct {
	srv      *emulator.Server
	endpoint string
	groupID  string
	seeded   int
}

func startEmulator(t *testing.T, args []string) *target {
	t.Helper()
	flags, err := parseEmulatorArgs(args)
	if err != nil {
		t.Fatalf("mode arguments %q: %v", args, err)
	}
	opts, seed := flags.options()
	opts.Tokens = map[string]emulator.Principal{testToken: testUser}
	srv, endpoint := emulatortest.Serve(t, opts)
	g := srv.AddGroup(emulator.Group{DisplayName: "Conformance Test", MailNickname: "conformancetest", Mail: "conformancetest@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true})
	if _, err := srv.SeedConversations(g.ID, seed, testUser); err != nil {
		t.Fatal(err)
	}
	return &target{srv: srv, endpoint: endpoint, groupID: g.ID, seeded: seed}
}

// options are the fast timings an emulator allows.
func (tg *target) options() Options {
	return Options{
		Endpoint:       tg.endpoint,
		Token:          testToken,
		GroupID:        tg.groupID,
		CreateGroups:   true,
		Poll:           50 * time.Millisecond,
		MailboxPoll:    50 * time.Millisecond,
		VisibilityWait: 5 * time.Second,
		MailboxWait:    30 * time.Second,
		RetryBase:      10 * time.Millisecond,
		MaxRetryWait:   5 * time.Second,
		Timeout:        2 * time.Minute,
	}
}

// groupCount counts the groups the emulator lists over HTTP.
func (tg *target) groupCount(t *testing.T) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, tg.endpoint+"/groups?$top=999", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	return len(page.Value)
}
