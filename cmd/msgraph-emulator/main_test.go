package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// syncBuffer lets the test read what run writes from another goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ready := filepath.Join(t.TempDir(), "emu.json")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-ready-file", ready, "-token", "t1", "-app-token", "a1", "-seed", "3", "-v"}, &stdout, &stderr)
	}()

	var info readyInfo
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(ready)
		if err == nil {
			if err := json.Unmarshal(data, &info); err != nil {
				t.Fatalf("ready file is not complete JSON: %v: %s", err, data)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready file; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if info.PID != os.Getpid() || !strings.HasPrefix(info.Endpoint, "http://127.0.0.1:") || info.GroupID == "" {
		t.Errorf("ready file = %+v", info)
	}
	out := stdout.String()
	for _, want := range []string{"endpoint=" + info.Endpoint + "\n", "group_id=" + info.GroupID + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout %q lacks %q", out, want)
		}
	}

	create := `{"topic":"hi","threads":[{"posts":[{"body":{"contentType":"text","content":"x"}}]}]}`
	tests := []struct {
		name       string
		token      string
		method     string
		body       string
		wantStatus int
	}{
		{"delegated token creates", "t1", http.MethodPost, create, http.StatusCreated},
		{"app token cannot create", "a1", http.MethodPost, create, http.StatusForbidden},
		{"app token reads", "a1", http.MethodGet, "", http.StatusOK},
		{"default token is replaced by -token", "emulator-token", http.MethodGet, "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(ctx, tt.method, info.Endpoint+"/groups/"+info.GroupID+"/conversations", strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tt.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
		})
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := os.Stat(ready); !os.IsNotExist(err) {
		t.Errorf("the ready file is still there after shutdown: %v", err)
	}
	if log := stderr.String(); !strings.Contains(log, "POST /v1.0/groups/"+info.GroupID+"/conversations 201") {
		t.Errorf("-v log lacks the create request:\n%s", log)
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"non-loopback listen", []string{"-listen", "0.0.0.0:0"}, "only loopback"},
		{"unknown flag", []string{"-nope"}, "not defined"},
		{"same token twice", []string{"-token", "x", "-app-token", "x"}, "both"},
		{"negative latency", []string{"-latency", "-1s"}, "-latency"},
		{"zero page size", []string{"-page-size", "0"}, "-page-size"},
		{"stray argument", []string{"extra"}, "unexpected"},
		{"fault rate above one", []string{"-fault-rate", "1.5"}, "between 0 and 1"},
		{"negative drop every", []string{"-drop-after-create-every", "-2"}, "must not be negative"},
		{"fault status not an error", []string{"-fault-status", "200"}, "not an HTTP error status"},
		{"fault status not a number", []string{"-fault-status", "429,soon"}, "not an HTTP error status"},
		{"zero max page size", []string{"-max-page-size", "0"}, "-max-page-size"},
		{"negative seeded conversations", []string{"-seed-conversations", "-1"}, "-seed-conversations"},
		{"unknown list order", []string{"-list-order", "random"}, "list-order"},
		{"unknown posts order", []string{"-posts-order", "oldest"}, "posts-order"},
		{"unknown html shape", []string{"-html-shape", "raw"}, "html-shape"},
		{"non-unified status not 403 or 404", []string{"-non-unified-status", "500"}, "NonUnifiedStatus"},
		{"negative topic length", []string{"-max-topic-length", "-1"}, "MaxTopicLength"},
		{"negative mailbox delay", []string{"-mailbox-delay", "-1s"}, "MailboxDelay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			err := run(ctx, tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("run(%v) = %v, want an error mentioning %q", tt.args, err, tt.wantErr)
			}
		})
	}
}

func TestMailNickname(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Emulator Demo", "emulatordemo"},
		{"R&D Team 2", "rdteam2"},
		{"Équipe", "quipe"},
		{"!!!", "emulatorgroup"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := mailNickname(tt.in); got != tt.want {
				t.Errorf("mailNickname(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFlagsBehaviour(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want emulator.Behaviour
	}{
		{"defaults", nil, emulator.Behaviour{NonUnifiedStatus: 404}},
		{"every behaviour flag", []string{
			"-top-caps-total", "-list-order", "newest-first", "-honour-maxpagesize-preference", "-normalise-topics",
			"-max-topic-length", "253", "-html-shape", "message", "-text-to-html", "-mailbox-delay", "2m",
			"-non-unified-status", "403", "-posts-order", "newest-first",
		}, emulator.Behaviour{
			TopCapsTotal: true, ListOrder: emulator.NewestFirst, HonourMaxPageSizePreference: true, NormaliseTopics: true,
			MaxTopicLength: emulator.ExchangeMaxTopicLength, HTMLShape: emulator.HTMLMessage, TextToHTML: true,
			MailboxDelay: 2 * time.Minute, NonUnifiedStatus: 403, PostsOrder: emulator.NewestFirst,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.behaviour != tt.want {
				t.Errorf("behaviour = %+v, want %+v", cfg.behaviour, tt.want)
			}
			// What the emulator reports as flags parses back to the same.
			again, err := parseFlags(cfg.behaviour.Flags(), io.Discard)
			if err != nil || again.behaviour != tt.want {
				t.Errorf("parseFlags(%q) = %+v, %v; want %+v", cfg.behaviour.Flags(), again.behaviour, err, tt.want)
			}
		})
	}
	cfg, err := parseFlags([]string{"-max-page-size", "100", "-seed-conversations", "5000"}, io.Discard)
	if err != nil || cfg.maxPageSize != 100 || cfg.seedConversations != 5000 {
		t.Errorf("parseFlags = %+v, %v; want max page size 100 and 5000 seeded conversations", cfg, err)
	}
}

// startRun runs the command with args until the test ends and returns what
// its ready file says.
func startRun(t *testing.T, args ...string) readyInfo {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "emu.json")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-ready-file", ready}, args...), &stdout, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not return after cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if data, err := os.ReadFile(ready); err == nil {
			var info readyInfo
			if err := json.Unmarshal(data, &info); err != nil {
				t.Fatalf("ready file is not complete JSON: %v: %s", err, data)
			}
			return info
		}
		select {
		case err := <-done:
			t.Fatalf("run returned before it was ready: %v; stderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ready file; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunAppliesBehaviourFlags(t *testing.T) {
	t.Parallel()
	info := startRun(t, "-seed-conversations", "25", "-max-page-size", "10", "-list-order", "newest-first", "-normalise-topics")
	call := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, info.Endpoint+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+defaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("%s %s: status %d, body not JSON: %v", method, path, resp.StatusCode, err)
		}
		return out
	}
	list := "/groups/" + info.GroupID + "/conversations"
	page := call(http.MethodGet, list+"?$top=1000", "")
	values, _ := page["value"].([]any)
	if len(values) != 10 || page["@odata.nextLink"] == nil {
		t.Fatalf("first page = %d items, nextLink %v; want 10 and a nextLink (page cap 10 of 25)", len(values), page["@odata.nextLink"])
	}
	if topic := values[0].(map[string]any)["topic"]; topic != "Seeded conversation 25" {
		t.Errorf("first listed = %v, want the newest seeded conversation", topic)
	}
	created := call(http.MethodPost, list, `{"topic":"RE: budget","threads":[{"posts":[{"body":{"contentType":"text","content":"x"}}]}]}`)
	id, _ := created["id"].(string)
	if got := call(http.MethodGet, list+"/"+id, "")["topic"]; got != "budget" {
		t.Errorf("topic read back = %v, want the normalised \"budget\"", got)
	}
}

func TestRunMailboxDelayAppliesToTheGroup(t *testing.T) {
	t.Parallel()
	info := startRun(t, "-mailbox-delay", "1h", "-non-unified-status", "403")
	req, _ := http.NewRequest(http.MethodGet, info.Endpoint+"/groups/"+info.GroupID+"/conversations", nil)
	req.Header.Set("Authorization", "Bearer "+defaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Error struct{ Code string } `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != http.StatusNotFound || env.Error.Code != "MailboxNotEnabledForRESTAPI" {
		t.Errorf("status %d, code %q, %v; want 404 MailboxNotEnabledForRESTAPI while the new group's mailbox is provisioned", resp.StatusCode, env.Error.Code, err)
	}
}

func TestParseFlagsRefuseCreateStamps(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{{nil, false}, {[]string{"-refuse-create-stamps"}, true}} {
		var stderr syncBuffer
		cfg, err := parseFlags(tt.args, &stderr)
		if err != nil || cfg.refuseCreateStamps != tt.want {
			t.Errorf("parseFlags(%v): refuseCreateStamps = %v, err %v; want %v", tt.args, cfg.refuseCreateStamps, err, tt.want)
		}
	}
}
