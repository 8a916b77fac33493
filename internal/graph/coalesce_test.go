package graph

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// readAll reads ids concurrently, like Terraform's refresh with parallelism
// workers, and returns what each read gave.
func readAll(t *testing.T, ids []string, parallelism int, read func(id string) (Conversation, error)) map[string]error {
	t.Helper()
	var mu sync.Mutex
	results := make(map[string]error)
	slots := make(chan struct{}, parallelism)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			got, err := read(id)
			if err == nil && got.ID != id {
				err = fmt.Errorf("read %s, got %s", id, got.ID)
			}
			mu.Lock()
			results[id] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results
}

func TestCoalescedRefreshUsesOneListing(t *testing.T) {
	t.Parallel()
	// Pages of 7 prove the listing follows nextLink to the end.
	env := newTestEnv(t, emulator.Options{Latency: 20 * time.Millisecond, MaxPageSize: 7})
	var ids []string
	for i := range 30 {
		c, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("topic ", i), emulator.ItemBody{ContentType: "text", Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	deleted := ids[3]
	env.server.DeleteConversation(env.group.ID, deleted)
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
	ctx := testContext(t)
	results := readAll(t, ids, 10, func(id string) (Conversation, error) { return c.ReadConversation(ctx, env.group.ID, id) })
	for id, err := range results {
		if id == deleted {
			if !IsNotFound(err) {
				t.Errorf("the deleted conversation read as %v, want a 404", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("read %s: %v", id, err)
		}
	}
	counters := env.server.Counters()
	// One listing of 5 pages (29 conversations, pages of 7), plus the
	// deleted conversation's own GET that proves it gone.
	if counters["conversations.list"] != 5 || counters["conversations.get"] != 1 {
		t.Fatalf("want 5 list pages and 1 get, counters %v", counters)
	}
}

func TestUncoalescedRefreshReadsEachConversation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	var ids []string
	for i := range 5 {
		c, _ := env.server.SeedConversation(env.group.ID, fmt.Sprint("topic ", i), emulator.ItemBody{ContentType: "text", Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
		ids = append(ids, c.ID)
	}
	c := env.clientWith(t, Options{Credential: StaticToken(testToken)})
	ctx := testContext(t)
	readAll(t, ids, 10, func(id string) (Conversation, error) { return c.ReadConversation(ctx, env.group.ID, id) })
	if counters := env.server.Counters(); counters["conversations.list"] != 0 || counters["conversations.get"] != 5 {
		t.Fatalf("counters %v", counters)
	}
}

// Creates finishing together share listings that started after they
// returned; a conversation too new to be listed is waited for with GETs.
func TestCoalescedReadsAfterCreate(t *testing.T) {
	t.Parallel()
	for _, invisible := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(fmt.Sprint("invisible ", invisible), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{Latency: 50 * time.Millisecond, MailboxConcurrency: 4, InvisibleFor: invisible})
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
			ctx := testContext(t)
			topics := make([]string, 40)
			for i := range topics {
				topics[i] = fmt.Sprint("new ", i)
			}
			results := readAll(t, topics, 10, func(topic string) (Conversation, error) {
				created, err := c.CreateConversation(ctx, env.group.ID, NewConversation{Topic: topic, Body: ItemBody{Content: "x"}})
				if err != nil {
					return Conversation{}, err
				}
				got, err := c.ReadNewConversation(ctx, env.group.ID, created.ID, time.Now())
				if err == nil && got.Topic != topic {
					err = fmt.Errorf("read topic %q for %q", got.Topic, topic)
				}
				got.ID = topic // readAll compares ids
				return got, err
			})
			for topic, err := range results {
				if err != nil {
					t.Errorf("%s: %v", topic, err)
				}
			}
			counters := env.server.Counters()
			t.Logf("40 creates: %d lists, %d gets, %d 429s", counters["conversations.list"], counters["conversations.get"], counters["status.429"])
			if invisible == 0 && counters["conversations.get"] != 0 {
				t.Errorf("visible conversations were read one by one: %v", counters)
			}
			if invisible == 0 && counters["conversations.list"] >= 40 {
				t.Errorf("listings were not shared: %v", counters)
			}
		})
	}
}
