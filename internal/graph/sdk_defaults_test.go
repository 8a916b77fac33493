//go:build msgraphbench

package graph

import (
	"sync"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// NewClientWithSDKDefaults is the naive baseline of make bench: the mailbox
// limiter is gone even when a limit is configured, so concurrent reads in
// one group draw 429s, and kiota's retry handler (not the provider's) waits
// out the Retry-After and gets them through.
func TestBenchSDKDefaultsHaveNoLimiter(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{MailboxConcurrency: 2, Latency: 100 * time.Millisecond, RetryAfterSeconds: 1})
	var ids []string
	for range 4 {
		conv, err := env.server.SeedConversation(env.group.ID, "seeded", emulator.ItemBody{Content: "x"}, nil,
			emulator.Principal{DisplayName: testUserName, Address: "megan@contoso.example"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, conv.ID)
	}
	c, err := NewClientWithSDKDefaults(Options{Endpoint: env.endpoint, Credential: StaticToken(testToken), MaxConcurrentRequestsPerGroup: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testContext(t)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.GetConversation(ctx, env.group.ID, id); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	counters := env.server.Counters()
	if counters["status.429"] == 0 {
		t.Fatalf("no 429 with the SDK's default middleware: the mailbox limiter is still in place (counters %v)", counters)
	}
	if got, want := counters["conversations.get"], len(ids)+counters["status.429"]; got != want {
		t.Fatalf("conversations.get = %d, want %d (one per read plus one per retried 429)", got, want)
	}
}
