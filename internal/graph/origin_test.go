package graph

import (
	"net/url"
	"testing"
)

func TestOriginOf(t *testing.T) {
	t.Parallel()
	tests := map[string]origin{
		"https://graph.microsoft.com/v1.0":     {"https", "graph.microsoft.com", "443"},
		"HTTPS://Graph.Microsoft.COM:443/x":    {"https", "graph.microsoft.com", "443"},
		"http://graph.microsoft.com/v1.0":      {"http", "graph.microsoft.com", "80"},
		"http://127.0.0.1:8080/v1.0":           {"http", "127.0.0.1", "8080"},
		"http://[::1]:8080/v1.0":               {"http", "::1", "8080"},
		"file:///etc/passwd":                   {},
		"/v1.0/groups":                         {},
		"mailto:a@b.example":                   {},
		"https:///no-host":                     {},
		"ftp://graph.microsoft.com/v1.0/group": {},
	}
	for raw, want := range tests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := originOf(u); got != want {
			t.Errorf("originOf(%q) = %+v, want %+v", raw, got, want)
		}
	}
	if got := (origin{"http", "::1", "8080"}).String(); got != "http://[::1]:8080" {
		t.Errorf("String() = %q", got)
	}
}
