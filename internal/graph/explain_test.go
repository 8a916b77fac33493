package graph

import (
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

func TestExplainReadFailure(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	ctx := testContext(t)
	tests := []struct {
		name, token, groupID, want string
	}{
		{"security group", testToken, env.securityGroup.ID, "is not a Microsoft 365 group"},
		{"missing group", testToken, "3f1c2b4a-0000-4000-8000-000000000000", "does not exist"},
		{"unknown token", "nope", env.group.ID, "missing, expired, or issued for another audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := env.client(t, tt.token, nil)
			_, err := c.ListConversations(ctx, tt.groupID)
			if err == nil {
				t.Fatal("list succeeded")
			}
			if got := c.ExplainReadFailure(ctx, tt.groupID, err); !strings.Contains(got, tt.want) {
				t.Fatalf("explanation %q does not contain %q (error: %v)", got, tt.want, err)
			}
		})
	}

	// An application token may read: nothing to explain, and the list works.
	c := env.client(t, testAppToken, nil)
	if _, err := c.ListConversations(ctx, env.group.ID); err != nil {
		t.Fatalf("an application token should list conversations: %v", err)
	}
}
