package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusFaultsEveryNth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Faults: Faults{Statuses: []int{503}, Every: 3, RetryAfterSeconds: 7}})
	var statuses []int
	for range 6 {
		resp := f.do(request{path: "/groups/" + f.team.ID + "/conversations"})
		statuses = append(statuses, resp.status)
		if resp.status == http.StatusServiceUnavailable {
			if got := resp.header.Get("Retry-After"); got != "7" {
				t.Errorf("Retry-After = %q, want 7", got)
			}
			var env struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.Unmarshal(resp.body, &env); err != nil || env.Error.Code != "ServiceUnavailable" {
				t.Errorf("envelope code %q, err %v", env.Error.Code, err)
			}
		}
	}
	want := []int{200, 200, 503, 200, 200, 503}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses = %v, want %v", statuses, want)
		}
	}
	if got := f.srv.Counters()["faults.status"]; got != 2 {
		t.Fatalf("faults.status = %d, want 2", got)
	}
}

func TestStatusFaultsAreSeeded(t *testing.T) {
	t.Parallel()
	run := func(seed int64) string {
		f := newFixture(t, Options{Faults: Faults{Seed: seed, Statuses: []int{429, 503, 504}, Rate: 0.5, RetryAfterSeconds: -1}})
		var b strings.Builder
		for range 40 {
			resp := f.do(request{path: "/groups/" + f.team.ID + "/conversations"})
			b.WriteString(http.StatusText(resp.status)[:1])
			if resp.status != http.StatusOK && resp.header.Get("Retry-After") != "" {
				t.Errorf("a negative RetryAfterSeconds must send no Retry-After")
			}
		}
		return b.String()
	}
	a, b, c := run(1), run(1), run(2)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatalf("different seeds gave the same faults: %s", a)
	}
	if !strings.Contains(a, "O") || strings.Count(a, "O") == len(a) {
		t.Fatalf("want a mix of answers, got %s", a)
	}
}

func TestDropAfterCreateAppliesTheCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Faults: Faults{DropAfterCreateEvery: 1}})
	body := `{"topic":"lost answer","threads":[{"posts":[{"body":{"contentType":"text","content":"x"}}]}]}`
	req, err := http.NewRequest(http.MethodPost, f.base+"/groups/"+f.team.ID+"/conversations", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	resp, err := f.hs.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("want the connection dropped, got status %d", resp.StatusCode)
	}
	if n := len(f.srv.Conversations(f.team.ID)); n != 1 {
		t.Fatalf("the create must be applied before the drop; conversations = %d", n)
	}
	if got := f.srv.Counters()["faults.dropped"]; got != 1 {
		t.Fatalf("faults.dropped = %d", got)
	}
}

func TestHideConversation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id, _ := f.createConversation(f.team.ID, "flapping")
	if !f.srv.HideConversation(f.team.ID, id, time.Hour) {
		t.Fatal("HideConversation did not find the conversation")
	}
	if resp := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + id}); resp.status != http.StatusNotFound {
		t.Fatalf("a hidden conversation answered %d", resp.status)
	}
}
