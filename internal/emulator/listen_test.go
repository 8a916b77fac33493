package emulator

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListenRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	tests := []string{"0.0.0.0:0", ":0", "10.1.2.3:0", "[::]:0", "example.com:80", "192.168.0.1:8080", "no-port", ""}
	for _, addr := range tests {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			srv := New(Options{})
			if base, err := srv.Listen(addr); err == nil {
				srv.Close()
				t.Fatalf("Listen(%q) = %q, want an error", addr, base)
			}
		})
	}
}

func TestListenServesOnLoopback(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "127.0.0.2:0"} {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			srv := New(Options{Tokens: map[string]Principal{aliceToken: alice}})
			g := srv.AddGroup(Group{DisplayName: "Listen", GroupTypes: []string{"Unified"}})
			base, err := srv.Listen(addr)
			if err != nil {
				if addr == "127.0.0.2:0" {
					t.Skipf("this machine does not route 127.0.0.2: %v", err)
				}
				t.Fatal(err)
			}
			defer srv.Close()
			if !strings.HasPrefix(base, "http://127.0.0.") || !strings.HasSuffix(base, "/v1.0") {
				t.Errorf("base URL %q, want http://127.0.0.x:PORT/v1.0", base)
			}
			if _, err := srv.Listen(addr); err == nil {
				t.Error("a second Listen must fail")
			}

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/groups/"+g.ID+"/conversations", nil)
			req.Header.Set("Authorization", "Bearer "+aliceToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}

			if err := srv.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := srv.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := http.DefaultClient.Do(req.Clone(ctx)); err == nil {
				t.Error("the server still answers after Close")
			}
		})
	}
}
