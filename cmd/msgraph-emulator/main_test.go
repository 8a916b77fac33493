package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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
