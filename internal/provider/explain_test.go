package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// explainEnv is an emulator with the groups the explanations tell apart,
// and a client for a token.
type explainEnv struct {
	*testEnv
	newGroup emulator.Group
}

func newExplainEnv(t *testing.T, nonUnifiedStatus int) *explainEnv {
	t.Helper()
	env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{NonUnifiedStatus: nonUnifiedStatus}})
	return &explainEnv{testEnv: env, newGroup: env.server.AddGroup(emulator.Group{DisplayName: "Brand new", GroupTypes: []string{"Unified"},
		MailEnabled: true, MailboxDelay: time.Hour})}
}

func (e *explainEnv) client(t *testing.T, token string) *graph.Client {
	t.Helper()
	c, err := graph.NewClient(graph.Options{Endpoint: e.endpoint, Credential: testfakes.StaticToken(token), RetryBaseDelay: 10 * time.Millisecond,
		Scopes: []string{"https://graph.microsoft.us/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A refused create is explained by what the group is, whatever the status
// Graph refused it with, and with the permission Graph's docs list.
func TestExplainCreateFailure(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		env := newExplainEnv(t, status)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tests := []struct {
			name, token, groupID string
			want                 []string
		}{
			{"security group", testUserToken, env.securityGroup.ID, []string{`The group "VPN Users"`, "is not a Microsoft 365 group"}},
			{"missing group", testUserToken, "3f1c2b4a-0000-4000-8000-000000000000", []string{"does not exist", "Check group_id"}},
			{"mailbox not ready", testUserToken, env.newGroup.ID, []string{`"Brand new"`, "its mailbox does not answer yet", "45 minutes"}},
			{"application token", testAppToken, env.group.ID, []string{"needs a delegated (user) token", `"az login"`, "use_cli", "access_token",
				"client_secret", "use_msi"}},
			{"unknown token", "not-a-token-the-emulator-knows", env.group.ID, []string{
				"missing, expired, or issued for another audience than https://graph.microsoft.us", "environment"}},
		}
		for _, tt := range tests {
			c := env.client(t, tt.token)
			_, err := c.CreateConversation(ctx, tt.groupID, graph.NewConversation{Topic: "t", Body: graph.ItemBody{ContentType: "text", Content: "x"}})
			if err == nil {
				t.Fatalf("%d, %s: the create succeeded", status, tt.name)
			}
			advice := explainCreateFailure(ctx, c, tt.groupID, createsConversation, err, nil)
			for _, want := range tt.want {
				if !strings.Contains(advice, want) {
					t.Errorf("non-Unified status %d, %s: advice lacks %q: %s (error: %v)", status, tt.name, want, advice, err)
				}
			}
		}
		if n := len(env.server.Conversations(env.group.ID)); n != 0 {
			t.Fatalf("failed creates left %d conversations", n)
		}
	}
}

// A 403 in a Microsoft 365 group whose mailbox answers names the permission
// Graph's docs list for the create: Group.ReadWrite.All for a conversation
// (group-post-conversations), Group-Conversation.ReadWrite.All or
// Group.ReadWrite.All for a thread (conversation-post-threads).
func TestExplainCreateFailureNamesTheDocumentedPermissions(t *testing.T) {
	t.Parallel()
	refused := &graph.Error{Operation: "create conversation", StatusCode: http.StatusForbidden, Code: "ErrorAccessDenied"}
	diagnosis := &graph.GroupDiagnosis{GroupID: "g", Checked: true, Found: true,
		Group: graph.Group{DisplayName: "Marketing", GroupTypes: []string{"Unified"}}, Mailbox: graph.MailboxReady}
	conversation := explainCreateFailure(context.Background(), nil, "g", createsConversation, refused, diagnosis)
	if !strings.Contains(conversation, "Group.ReadWrite.All") || strings.Contains(conversation, "Group-Conversation.ReadWrite.All") {
		t.Errorf("conversation advice: %s", conversation)
	}
	thread := explainCreateFailure(context.Background(), nil, "g", createsThread, refused, diagnosis)
	if !strings.Contains(thread, "Group-Conversation.ReadWrite.All or Group.ReadWrite.All") {
		t.Errorf("thread advice: %s", thread)
	}
	for _, advice := range []string{conversation, thread} {
		if !strings.Contains(advice, "member of the group") {
			t.Errorf("advice does not mention membership: %s", advice)
		}
	}
}

func TestExplainReadFailure(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		env := newExplainEnv(t, status)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tests := []struct {
			name, token, groupID, want string
		}{
			{"security group", testUserToken, env.securityGroup.ID, "is not a Microsoft 365 group"},
			{"missing group", testUserToken, "3f1c2b4a-0000-4000-8000-000000000000", "does not exist"},
			{"mailbox not ready", testUserToken, env.newGroup.ID, "its mailbox does not answer yet"},
			{"unknown token", "nope", env.group.ID, "missing, expired, or issued for another audience"},
		}
		for _, tt := range tests {
			c := env.client(t, tt.token)
			_, err := c.ListConversations(ctx, tt.groupID)
			if err == nil {
				t.Fatalf("%s: the list succeeded", tt.name)
			}
			if got := explainReadFailure(ctx, c, tt.groupID, err); !strings.Contains(got, tt.want) {
				t.Errorf("non-Unified status %d, %s: %q does not contain %q (error: %v)", status, tt.name, got, tt.want, err)
			}
		}
		// An application token may read: nothing to explain, and the list
		// works.
		if _, err := env.client(t, testAppToken).ListConversations(ctx, env.group.ID); err != nil {
			t.Fatalf("an application token should list conversations: %v", err)
		}
	}
}
