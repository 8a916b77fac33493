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
	for _, filter := range []bool{true, false} {
		t.Run(fmt.Sprint("filter honoured ", filter), func(t *testing.T) {
			t.Parallel()
			// Pages of 7 prove the listing follows nextLink to the end.
			env := newTestEnv(t, emulator.Options{Latency: 20 * time.Millisecond, MaxPageSize: 7,
				Behaviour: emulator.Behaviour{FilterLastDelivered: filter}})
			var ids []string
			since := make(map[string]time.Time)
			for i := range 30 {
				c, err := env.server.SeedConversation(env.group.ID, fmt.Sprint("topic ", i), emulator.ItemBody{ContentType: "text", Content: "x"}, nil, emulator.Principal{DisplayName: "x"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
				since[c.ID] = c.LastDeliveredDateTime
			}
			deleted := ids[3]
			env.server.DeleteConversation(env.group.ID, deleted)
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
			ctx := testContext(t)
			results := readAll(t, ids, 10, func(id string) (Conversation, error) {
				return c.ReadConversation(ctx, env.group.ID, id, since[id], ListingHint{})
			})
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
			// One listing of 5 pages (29 conversations, pages of 7), plus
			// the deleted conversation's own GET that proves it gone; a
			// service that refuses the filter first answers 400 to it.
			wantLists := 5
			if !filter {
				wantLists++
			}
			if counters["conversations.list"] != wantLists || counters["conversations.get"] != 1 {
				t.Fatalf("want %d list requests and 1 get, counters %v", wantLists, counters)
			}
		})
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
	readAll(t, ids, 10, func(id string) (Conversation, error) {
		return c.ReadConversation(ctx, env.group.ID, id, time.Time{}, ListingHint{})
	})
	if counters := env.server.Counters(); counters["conversations.list"] != 0 || counters["conversations.get"] != 5 {
		t.Fatalf("counters %v", counters)
	}
}

// createAndReadBack creates n conversations with parallelism workers, each
// reading its conversation back as Terraform's Create does, and returns the
// emulator's counters.
func createAndReadBack(t *testing.T, env *testEnv, c *Client, n, parallelism int) map[string]int {
	t.Helper()
	ctx := testContext(t)
	topics := make([]string, n)
	for i := range topics {
		topics[i] = fmt.Sprint("new ", i)
	}
	results := readAll(t, topics, parallelism, func(topic string) (Conversation, error) {
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
	t.Logf("%d creates by %d workers: %d lists, %d gets, %d 429s", n, parallelism,
		counters["conversations.list"], counters["conversations.get"], counters["status.429"])
	if counters["status.429"] != 0 {
		t.Errorf("the limiter let requests be throttled: %v", counters)
	}
	return counters
}

// While creates queue for the group's mailbox, those finishing together
// share listings that started after they returned; a conversation too new to
// be listed is waited for with GETs.
func TestCoalescedReadsAfterCreate(t *testing.T) {
	t.Parallel()
	for _, invisible := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(fmt.Sprint("invisible ", invisible), func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, emulator.Options{Latency: 50 * time.Millisecond, MailboxConcurrency: 4, InvisibleFor: invisible})
			c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
			counters := createAndReadBack(t, env, c, 40, 10)
			reads := counters["conversations.list"] + counters["conversations.get"]
			if invisible == 0 && (counters["conversations.list"] == 0 || reads > 30) {
				t.Errorf("40 reads after creates took %d requests (%d listings): they were not shared", reads, counters["conversations.list"])
			}
		})
	}
}

// While the group's mailbox has a free slot, a read after a create is its
// own GET: a listing would answer no sooner and cost Graph more.
func TestReadsAfterCreateInAnIdleMailboxAreGets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{Latency: 20 * time.Millisecond, MailboxConcurrency: 4})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), CoalesceReads: true, MaxConcurrentRequestsPerGroup: 4})
	// Two workers keep at most two requests in flight: a slot is always free.
	counters := createAndReadBack(t, env, c, 12, 2)
	if counters["conversations.list"] != 0 || counters["conversations.get"] != 12 {
		t.Fatalf("want 12 gets and no listing, counters %v", counters)
	}
}
