package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/seed40294029/terraform-provider-msgraph/internal/auth"
	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// The acceptance tests that need no fault injection run against a real
// tenant with `make testacc-live`: MSGRAPH_TEST_LIVE=1, the provider's usual
// ARM_* sign-in variables, and MSGRAPH_TEST_GROUP_ID, a Microsoft 365 group
// the tests may post to. Such a test gets a testTarget, and reaches Graph
// only through the provider and a graph.Client (never the emulator's
// internals), so the same test checks the emulator in process and a tenant.
// Every other acceptance test needs the emulator and skips in a live run
// (newTestEnv says so).

const (
	envLive        = "MSGRAPH_TEST_LIVE"
	envLiveGroupID = "MSGRAPH_TEST_GROUP_ID"
)

// liveRun reports a `make testacc-live` run.
func liveRun() bool { return os.Getenv(envLive) == "1" }

// skipInLiveRun skips a test that needs the emulator in a live run.
func skipInLiveRun(t *testing.T) {
	t.Helper()
	if liveRun() {
		t.Skip("needs the emulator (fault injection or emulator state); make testacc-live runs only the tests a tenant can answer")
	}
}

// testTarget is the Graph service an acceptance test's configuration runs
// against.
type testTarget struct {
	name string
	// providerConfig is the provider block.
	providerConfig string
	// factories serve the provider with the timing fit for the target.
	factories map[string]func() (tfprotov6.ProviderServer, error)
	// groupID is a Microsoft 365 group the test may post to.
	groupID string
	// client reads Graph the way the tests check it.
	client *graph.Client
	// server is the emulator; nil for a tenant.
	server *emulator.Server
	// runID makes the topics a test creates unique, so that runs against a
	// tenant do not meet each other's conversations.
	runID string
}

// emulatorTarget starts an emulator with opts for a test.
func emulatorTarget(t *testing.T, name string, opts emulator.Options) *testTarget {
	t.Helper()
	env := newTestEnv(t, opts)
	c, err := graph.NewClient(graph.Options{
		Endpoint: env.endpoint, Credential: testfakes.StaticToken(testUserToken), RetryBaseDelay: testTiming.retryBaseDelay,
		VisibilityGrace: testTiming.visibilityGrace,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testTarget{
		name: name, providerConfig: env.providerConfig(testUserToken), factories: testAccProtoV6ProviderFactories,
		groupID: env.group.ID, client: c, server: env.server, runID: "run",
	}
}

// tenantTarget is the tenant the ARM_* variables sign in to, or skips the
// test, saying what is missing.
func tenantTarget(t *testing.T) *testTarget {
	t.Helper()
	groupID := os.Getenv(envLiveGroupID)
	if groupID == "" || !armSignInSet() {
		t.Skipf("a live run needs the provider's ARM_* sign-in variables (for example ARM_USE_CLI=true after az login, or "+
			"ARM_ACCESS_TOKEN) and %s, a Microsoft 365 group the tests may post to", envLiveGroupID)
	}
	cfg, diags := signInModel{}.authConfig()
	if diags.HasError() {
		t.Fatalf("reading the ARM_* sign-in variables: %v", diags)
	}
	selection, problems := auth.Resolve(cfg)
	if len(problems) > 0 {
		t.Fatalf("the ARM_* sign-in variables: %+v", problems)
	}
	cloud, _ := auth.LookupCloud(cfg.Environment)
	credential, err := selection.Credential(auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := cloud.GraphEndpoint()
	if e := os.Getenv(envEndpoint); e != "" {
		endpoint = e
	}
	c, err := graph.NewClient(graph.Options{Endpoint: endpoint, Credential: credential, Scopes: []string{cloud.Scope()},
		UserAgent: "terraform-provider-msgraph/testacc-live", MaxConcurrentRequestsPerGroup: defaultMaxConcurrentRequestsPerGroup})
	if err != nil {
		t.Fatal(err)
	}
	var id [4]byte
	_, _ = rand.Read(id[:])
	return &testTarget{
		name: "tenant", providerConfig: "\nprovider \"msgraph\" {}\n",
		// Production timing: a tenant's invisibility after create lasts
		// seconds, not the emulator's fractions.
		factories: protoV6ProviderFactories(&msgraphProvider{version: "testacc-live", commit: "test"}),
		groupID:   groupID, client: c, runID: hex.EncodeToString(id[:]),
	}
}

// armSignInSet reports whether any of the provider's sign-in variables is
// set.
func armSignInSet() bool {
	for _, attr := range []string{auth.AttrAccessToken, auth.AttrClientID, auth.AttrTenantID, auth.AttrUseCLI, auth.AttrUseMSI, auth.AttrUseOIDC} {
		for _, env := range auth.EnvVars(attr) {
			if os.Getenv(env) != "" {
				return true
			}
		}
	}
	return false
}

// topic makes a topic unique to the run, so that it cannot meet another
// run's conversations in a tenant's group.
func (tg *testTarget) topic(base string) string {
	return fmt.Sprintf("%s (msgraph testacc %s)", base, tg.runID)
}

// context bounds one check's Graph calls.
func (tg *testTarget) context() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

// checkGone is a CheckDestroy: every conversation and thread of the state
// before the destroy answers 404, as Graph is asked through internal/graph.
func (tg *testTarget) checkGone(s *terraform.State) error {
	ctx, cancel := tg.context()
	defer cancel()
	var problems []string
	for address, r := range s.RootModule().Resources {
		var err error
		switch r.Type {
		case "msgraph_group_conversation":
			_, err = tg.client.GetConversation(ctx, r.Primary.Attributes["group_id"], r.Primary.ID)
		case "msgraph_group_conversation_thread":
			_, err = tg.client.GetThread(ctx, r.Primary.Attributes["group_id"], r.Primary.Attributes["conversation_id"], r.Primary.ID)
		default:
			continue
		}
		switch {
		case err == nil:
			problems = append(problems, address+" still exists after destroy")
		case !graph.IsNotFound(err):
			problems = append(problems, fmt.Sprintf("%s: %v", address, err))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkConversationTopics checks, through internal/graph, that the group
// holds exactly one conversation whose topic is the configured topic (as
// Graph stores it), so a duplicate or a lost create fails the test.
func (tg *testTarget) checkConversationTopics(configured string) func(*terraform.State) error {
	return func(*terraform.State) error {
		ctx, cancel := tg.context()
		defer cancel()
		conversations, err := tg.client.ListConversations(ctx, tg.groupID)
		if err != nil {
			return err
		}
		n := 0
		for _, c := range conversations {
			if graph.SameTopic(configured, c.Topic) {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("the group holds %d conversations with the topic %q, want 1", n, configured)
		}
		return nil
	}
}
