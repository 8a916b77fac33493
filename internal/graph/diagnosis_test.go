package graph

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

func TestDiagnoseGroup(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		env := newTestEnv(t, emulator.Options{Behaviour: emulator.Behaviour{NonUnifiedStatus: status}})
		newGroup := env.server.AddGroup(emulator.Group{DisplayName: "Brand new", GroupTypes: []string{"Unified"}, MailEnabled: true,
			MailboxDelay: time.Hour})
		ctx := testContext(t)
		tests := []struct {
			name, token, groupID string
			check                func(d GroupDiagnosis) bool
		}{
			{"a Microsoft 365 group", testToken, env.group.ID, func(d GroupDiagnosis) bool {
				return d.Checked && d.Found && d.Group.IsMicrosoft365() && d.Mailbox == MailboxReady && !d.AppOnlyToken
			}},
			{"a security group", testToken, env.securityGroup.ID, func(d GroupDiagnosis) bool {
				return d.Checked && d.Found && !d.Group.IsMicrosoft365() && d.Mailbox == MailboxUnchecked
			}},
			{"no such group", testToken, "3f1c2b4a-0000-4000-8000-000000000000", func(d GroupDiagnosis) bool {
				return d.Checked && !d.Found
			}},
			{"a new group's mailbox", testToken, newGroup.ID, func(d GroupDiagnosis) bool {
				return d.Found && d.Group.IsMicrosoft365() && d.Mailbox == MailboxNotReady && IsMailboxNotReady(d.MailboxErr)
			}},
			{"an application token", testAppToken, env.group.ID, func(d GroupDiagnosis) bool {
				return d.Found && d.AppOnlyToken && d.Mailbox == MailboxReady
			}},
			{"a token Graph refuses", "nope", env.group.ID, func(d GroupDiagnosis) bool {
				return !d.Checked && StatusCode(d.Err) == http.StatusUnauthorized
			}},
		}
		for _, tt := range tests {
			d := env.client(t, tt.token, nil).DiagnoseGroup(ctx, tt.groupID)
			if !tt.check(d) {
				t.Errorf("non-Unified status %d, %s: %+v", status, tt.name, d)
			}
		}
	}
}

// A create in a group whose mailbox is not ready is refused whatever the
// status a group without a mailbox answers; the wait lasts until the mailbox
// answers, logging its progress.
func TestWaitForMailbox(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	group := env.server.AddGroup(emulator.Group{DisplayName: "Brand new", GroupTypes: []string{"Unified"}, MailEnabled: true,
		MailboxDelay: 1500 * time.Millisecond})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), RetryBaseDelay: 100 * time.Millisecond})
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(testContext(t), &logs)

	_, err := c.CreateConversation(ctx, group.ID, NewConversation{Topic: "Kickoff", Body: ItemBody{Content: "x"}})
	if !IsMailboxNotReady(err) {
		t.Fatalf("create in a new group: %v, want a refusal for the mailbox", err)
	}
	start := time.Now()
	if err := c.WaitForMailbox(ctx, group.ID); err != nil {
		t.Fatalf("WaitForMailbox: %v", err)
	}
	ready, _ := env.server.MailboxReadyAt(group.ID)
	if time.Now().Before(ready) {
		t.Errorf("the wait ended at %s, before the mailbox was ready at %s", time.Now(), ready)
	}
	if _, err := c.CreateConversation(ctx, group.ID, NewConversation{Topic: "Kickoff", Body: ItemBody{Content: "x"}}); err != nil {
		t.Fatalf("create after the wait: %v", err)
	}
	t.Logf("waited %s", time.Since(start))
	if n := strings.Count(logs.String(), "Waiting for the group's mailbox"); n == 0 {
		t.Errorf("no progress logged while waiting:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "The group's mailbox answers") {
		t.Errorf("the end of the wait is not logged:\n%s", logs.String())
	}
}

func TestWaitForMailboxEndsWithTheDeadline(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	group := env.server.AddGroup(emulator.Group{DisplayName: "Brand new", GroupTypes: []string{"Unified"}, MailEnabled: true,
		MailboxDelay: time.Hour})
	c := env.clientWith(t, Options{Credential: StaticToken(testToken), RetryBaseDelay: 50 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	err := c.WaitForMailbox(ctx, group.ID)
	var notReady *MailboxNotReadyError
	if !errors.As(err, &notReady) {
		t.Fatalf("WaitForMailbox = %v, want a MailboxNotReadyError", err)
	}
	if notReady.GroupID != group.ID || notReady.Polls < 2 || !IsMailboxNotReady(notReady.Last) {
		t.Errorf("error %+v", notReady)
	}
}
