package emulator

import (
	"strings"
	"testing"
)

func TestGeneratedIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prefix     []byte
		size       int
		wantPrefix string
		wantLen    int
		wantPad    string
	}{
		{"conversation", conversationIDPrefix, conversationIDBytes, "AAQkA", 68, "="},
		{"thread", threadIDPrefix, threadIDBytes, "AAQkA", 104, "=="},
		{"post", postIDPrefix, postIDBytes, "AAMkA", 140, "="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := newStore(42)
			seen := map[string]bool{}
			for range 500 {
				id := st.claimID(tt.prefix, tt.size)
				body := strings.TrimRight(id, "=")
				switch {
				case seen[id]:
					t.Fatalf("id %s handed out twice", id)
				case !strings.HasPrefix(id, tt.wantPrefix):
					t.Fatalf("id %s does not start with %s", id, tt.wantPrefix)
				case len(id) != tt.wantLen || id[len(body):] != tt.wantPad:
					t.Fatalf("id %s: length %d and padding %q, want %d and %q", id, len(id), id[len(body):], tt.wantLen, tt.wantPad)
				case !strings.ContainsAny(body, "-_"):
					t.Fatalf("id %s has no '-' or '_'", id)
				case strings.ContainsAny(id, "+/"):
					t.Fatalf("id %s uses the standard base64 alphabet", id)
				case !isWellFormedExchangeID(id):
					t.Fatalf("id %s is not accepted by the emulator's own validation", id)
				}
				seen[id] = true
			}
		})
	}
}

func TestIDsAreDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	ids := func(seed int64) []string {
		srv := New(Options{Seed: seed})
		g := srv.AddGroup(Group{GroupTypes: []string{"Unified"}})
		c, err := srv.SeedConversation(g.ID, "t", ItemBody{"text", "x"}, nil, alice)
		if err != nil {
			t.Fatal(err)
		}
		return []string{g.ID, c.ID, c.ThreadIDs[0], srv.Posts(g.ID, c.ThreadIDs[0])[0].ID}
	}
	a, b, other := ids(5), ids(5), ids(6)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("seed 5 gave %s and %s", a[i], b[i])
		}
		if a[i] == other[i] {
			t.Errorf("seeds 5 and 6 both gave %s", a[i])
		}
	}
}

func TestIsWellFormedExchangeID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgAQADamkjVbzvRKnUq1oBRdwhk=", true},
		{"AAQkAGRhZmRhMWM3LTYwZTktNDZmYy1hNWU1LThhZWU4NzI2YTEyZgMkABAANqaSNVvO9EqdSrWgFF3CGRAANqaSNVvO9EqdSrWgFF3CGQ==", true},
		{"AAAAAAAA", true},
		{"AAAAAA==", true},
		{"AAAAAAA", false},    // not a multiple of four
		{"AAAA", false},       // too short
		{"AAAAA===", false},   // three padding characters
		{"AAAA=AAA", false},   // padding in the middle
		{"AAAAAAB=", false},   // non-zero trailing bits
		{"AAAA+AAA", false},   // standard alphabet
		{"AAAA/AAA", false},   // standard alphabet
		{"AAAA\nAAAA", false}, // the decoder would skip the newline
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			if got := isWellFormedExchangeID(tt.id); got != tt.want {
				t.Errorf("isWellFormedExchangeID(%q) = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
}

func TestIsGUID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		want bool
	}{
		{"4d81ce71-486c-41e9-afc5-e41bf2d0722a", true},
		{"4D81CE71-486C-41E9-AFC5-E41BF2D0722A", true},
		{"4d81ce71486c41e9afc5e41bf2d0722a", false},
		{"{4d81ce71-486c-41e9-afc5-e41bf2d0722a}", false},
		{"4d81ce71-486c-41e9-afc5-e41bf2d0722g", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			t.Parallel()
			if got := isGUID(tt.s); got != tt.want {
				t.Errorf("isGUID(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}
