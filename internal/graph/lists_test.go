package graph

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

func asError(err error, target **Error) bool { return errors.As(err, target) }

func TestListConversationsFollowsEveryPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{PageSize: 4})
	c := env.client(t, testToken, nil)
	var want []string
	for i := range 11 {
		seeded, err := env.server.SeedConversation(env.group.ID, fmt.Sprintf("topic %02d", i), emulator.ItemBody{Content: "x"}, nil,
			emulator.Principal{DisplayName: "Adele Vance"})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, seeded.ID)
	}
	env.server.ResetCounters()
	got, err := c.ListConversations(testContext(t), env.group.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, conversation := range got {
		ids = append(ids, conversation.ID)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("listed %v, want %v", ids, want)
	}
	if got[10].Topic != "topic 10" || got[10].Preview != "x" || got[10].UniqueSenders[0] != "Adele Vance" {
		t.Fatalf("last conversation = %+v", got[10])
	}
	if n := env.server.Counters()["conversations.list"]; n != 3 {
		t.Fatalf("want 3 page requests for 11 conversations in pages of 4, got %d", n)
	}
}

func TestListConversationsEmptyAndErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	if got, err := c.ListConversations(ctx, env.group.ID); err != nil || len(got) != 0 {
		t.Fatalf("empty group: %v, %v", got, err)
	}
	_, err := c.ListConversations(ctx, env.securityGroup.ID)
	var ge *Error
	if !errors.As(err, &ge) || ge.Code != "MailboxNotEnabledForRESTAPI" || ge.RequestID == "" {
		t.Fatalf("security group: want MailboxNotEnabledForRESTAPI with a request-id, got %v", err)
	}
}

func TestFindGroups(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{PageSize: 1})
	c := env.client(t, testToken, nil)
	ctx := testContext(t)
	twinA := env.server.AddGroup(emulator.Group{DisplayName: "Twins", MailNickname: "twins-a", GroupTypes: []string{"Unified"}})
	twinB := env.server.AddGroup(emulator.Group{DisplayName: "twins", MailNickname: "twins-b", Mail: "b@contoso.com"})
	quoted := env.server.AddGroup(emulator.Group{DisplayName: "O'Brien & Sons #1 + 50% ?", MailNickname: "obrien"})

	tests := []struct {
		name     string
		property GroupProperty
		value    string
		want     []string
	}{
		{"display name, case-insensitive, across pages", GroupDisplayName, "TWINS", []string{twinA.ID, twinB.ID}},
		{"quote and URL metacharacters", GroupDisplayName, "O'Brien & Sons #1 + 50% ?", []string{quoted.ID}},
		{"mail nickname", GroupMailNickname, "twins-b", []string{twinB.ID}},
		{"no match", GroupDisplayName, "Nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.FindGroups(ctx, tt.property, tt.value)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, g := range got {
				ids = append(ids, g.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Fatalf("found %v, want %v", ids, tt.want)
			}
		})
	}

	got, err := c.FindGroups(ctx, GroupMailNickname, "twins-a")
	if err != nil || len(got) != 1 || !got[0].IsMicrosoft365() || got[0].DisplayName != "Twins" || got[0].Mail != "" {
		t.Fatalf("twins-a = %+v, %v", got, err)
	}
	if _, err := c.FindGroups(ctx, "mail", "x"); err == nil {
		t.Fatal("an unsupported property was sent to Graph")
	}
}

func TestGroupFilterDoublesQuotes(t *testing.T) {
	t.Parallel()
	if got, want := groupFilter(GroupDisplayName, "it's 'quoted'"), "displayName eq 'it''s ''quoted'''"; got != want {
		t.Fatalf("groupFilter = %q, want %q", got, want)
	}
}
