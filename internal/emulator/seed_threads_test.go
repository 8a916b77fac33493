package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestSeedThreadAndReply(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	conv, err := f.srv.SeedConversation(f.team.ID, "Seeded", ItemBody{ContentType: "text", Content: "first"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	thread, err := f.srv.SeedThread(f.team.ID, conv.ID, ItemBody{ContentType: "html", Content: "<p>second</p>"},
		[]Recipient{{Name: "Lee", Address: "lee@contoso.example"}}, []Recipient{{Address: "cc@contoso.example"}}, bob)
	if err != nil {
		t.Fatal(err)
	}
	if thread.Topic != "Seeded" || thread.ConversationID != conv.ID || len(thread.PostIDs) != 1 {
		t.Fatalf("seeded thread = %+v", thread)
	}
	post, err := f.srv.SeedReply(f.team.ID, thread.ID, ItemBody{Content: "a reply"}, []Recipient{{Address: "new@contoso.example"}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	if post.ThreadID != thread.ID || post.Body != (ItemBody{ContentType: "text", Content: "a reply"}) || post.From.Name != alice.DisplayName {
		t.Fatalf("seeded reply = %+v", post)
	}

	// Graph sees what was seeded, through the conversation path.
	threadPath := "/groups/" + f.team.ID + "/conversations/" + conv.ID + "/threads/" + thread.ID
	got := f.do(request{path: threadPath + "?$select=toRecipients,ccRecipients,uniqueSenders"})
	wantStatus(t, got, http.StatusOK)
	m := got.object(t)
	to := m["toRecipients"].([]any)
	if len(to) != 2 || len(m["ccRecipients"].([]any)) != 1 {
		t.Fatalf("recipients after a reply with a new participant: %s", got.body)
	}
	if senders := m["uniqueSenders"].([]any); len(senders) != 2 || senders[0] != bob.DisplayName || senders[1] != alice.DisplayName {
		t.Fatalf("uniqueSenders = %v", senders)
	}
	posts := f.do(request{path: threadPath + "/posts"}).values(t)
	if len(posts) != 2 || posts[1]["id"] != post.ID || !strings.Contains(posts[0]["body"].(map[string]any)["content"].(string), "<div><p>second</p></div>") {
		t.Fatalf("posts = %v", posts)
	}
	if snap, ok := f.srv.Thread(f.team.ID, thread.ID); !ok || !slices.Equal(snap.PostIDs, []string{thread.PostIDs[0], post.ID}) {
		t.Fatalf("Thread() = %+v, %v", snap, ok)
	}
}

func TestSeedThreadErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	conv, err := f.srv.SeedConversation(f.team.ID, "Seeded", ItemBody{Content: "x"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown conversation", func() error {
			_, err := f.srv.SeedThread(f.team.ID, "AAQkAGI2=", ItemBody{Content: "x"}, nil, nil, alice)
			return err
		}, "has no conversation"},
		{"security group", func() error {
			_, err := f.srv.SeedThread(f.security.ID, conv.ID, ItemBody{Content: "x"}, nil, nil, alice)
			return err
		}, "MailboxNotEnabledForRESTAPI"},
		{"recipient without address", func() error {
			_, err := f.srv.SeedThread(f.team.ID, conv.ID, ItemBody{Content: "x"}, []Recipient{{Name: "nobody"}}, nil, alice)
			return err
		}, "needs an address"},
		{"bad content type", func() error {
			_, err := f.srv.SeedReply(f.team.ID, conv.ThreadIDs[0], ItemBody{ContentType: "markdown", Content: "x"}, nil, alice)
			return err
		}, "markdown"},
		{"unknown thread", func() error {
			_, err := f.srv.SeedReply(f.team.ID, "AAQkAGI2==", ItemBody{Content: "x"}, nil, alice)
			return err
		}, "has no thread"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestThreadHelpersActOutsideGraph(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	conv, err := f.srv.SeedConversation(f.team.ID, "Seeded", ItemBody{Content: "x"}, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.srv.SeedThread(f.team.ID, conv.ID, ItemBody{Content: "y"}, nil, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	threadPath := "/groups/" + f.team.ID + "/conversations/" + conv.ID + "/threads/" + second.ID

	if !f.srv.SetThreadLocked(f.team.ID, second.ID, true) {
		t.Fatal("SetThreadLocked did not find the thread")
	}
	if m := f.do(request{path: threadPath}).object(t); m["isLocked"] != true {
		t.Fatalf("isLocked after SetThreadLocked = %v", m["isLocked"])
	}

	if !f.srv.DeleteThread(f.team.ID, second.ID) || f.srv.DeleteThread(f.team.ID, second.ID) {
		t.Fatal("DeleteThread should find the thread once")
	}
	wantError(t, f.do(request{path: threadPath}), http.StatusNotFound, "ErrorItemNotFound")
	if _, ok := f.srv.Conversation(f.team.ID, conv.ID); !ok {
		t.Fatal("the conversation went with a thread that was not its last")
	}
	if !f.srv.DeleteThread(f.team.ID, conv.ThreadIDs[0]) {
		t.Fatal("DeleteThread did not find the first thread")
	}
	if _, ok := f.srv.Conversation(f.team.ID, conv.ID); ok {
		t.Fatal("the conversation outlived its last thread")
	}
	if f.srv.SetThreadLocked(f.team.ID, second.ID, false) || f.srv.DeleteThread("not-a-group", second.ID) {
		t.Fatal("helpers reported success on a missing thread or group")
	}
}
