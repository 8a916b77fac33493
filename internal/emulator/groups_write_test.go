package emulator

import (
	"net/http"
	"testing"
	"time"
)

func newGroupBody(name, nickname string, unified bool) map[string]any {
	body := map[string]any{
		"displayName":     name,
		"mailNickname":    nickname,
		"mailEnabled":     unified,
		"securityEnabled": !unified,
		"groupTypes":      []string{},
	}
	if unified {
		body["groupTypes"] = []string{"Unified"}
	}
	return body
}

func TestCreateGroup(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFixture(t, Options{Now: clock.Now, Behaviour: Behaviour{MailboxDelay: time.Minute}})

	r := f.do(request{method: http.MethodPost, path: "/groups", body: newGroupBody("Probe Group", "probegroup", true)})
	wantStatus(t, r, http.StatusCreated)
	m := r.object(t)
	id, _ := m["id"].(string)
	if !uuidV4.MatchString(id) {
		t.Fatalf("id = %q, want a lowercase UUID", id)
	}
	if m["mail"] != "probegroup@contoso.example" || m["displayName"] != "Probe Group" || m["mailEnabled"] != true {
		t.Errorf("created group = %v", m)
	}
	if m["@odata.context"] != f.base+"/$metadata#groups/$entity" {
		t.Errorf("@odata.context = %v", m["@odata.context"])
	}
	// The directory knows it at once; its mailbox answers after the delay.
	wantStatus(t, f.do(request{path: "/groups/" + id}), http.StatusOK)
	wantError(t, f.do(request{path: "/groups/" + id + "/conversations"}), http.StatusNotFound, "MailboxNotEnabledForRESTAPI")
	clock.Advance(time.Minute)
	wantStatus(t, f.do(request{path: "/groups/" + id + "/conversations"}), http.StatusOK)

	t.Run("security group has no mail and no mailbox", func(t *testing.T) {
		t.Parallel()
		r := f.do(request{method: http.MethodPost, path: "/groups", body: newGroupBody("Probe Security", "probesecurity", false)})
		wantStatus(t, r, http.StatusCreated)
		m := r.object(t)
		if m["mail"] != nil || m["securityEnabled"] != true {
			t.Errorf("security group = %v", m)
		}
		wantError(t, f.do(request{path: "/groups/" + m["id"].(string) + "/conversations"}), http.StatusNotFound, "MailboxNotEnabledForRESTAPI")
	})

	refusals := []struct {
		name string
		body any
	}{
		{"no displayName", map[string]any{"mailNickname": "a", "mailEnabled": true, "securityEnabled": false}},
		{"blank displayName", map[string]any{"displayName": " ", "mailNickname": "a", "mailEnabled": true, "securityEnabled": false}},
		{"no mailNickname", map[string]any{"displayName": "a", "mailEnabled": true, "securityEnabled": false}},
		{"mailNickname with a blank", newGroupBody("a", "has blank", true)},
		{"mailNickname too long", newGroupBody("a", string(make([]byte, 65)), true)},
		{"no mailEnabled", map[string]any{"displayName": "a", "mailNickname": "a", "securityEnabled": false}},
		{"no securityEnabled", map[string]any{"displayName": "a", "mailNickname": "a", "mailEnabled": true}},
		{"null group type", map[string]any{"displayName": "a", "mailNickname": "a", "mailEnabled": true, "securityEnabled": false, "groupTypes": []any{nil}}},
		{"taken mailNickname, in another case", newGroupBody("Again", "FixtureTeam", true)},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, f.do(request{method: http.MethodPost, path: "/groups", body: tt.body}), http.StatusBadRequest, "Request_BadRequest")
		})
	}
}

func TestDeleteGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	r := f.do(request{method: http.MethodPost, path: "/groups", body: newGroupBody("Doomed", "doomed", true)})
	wantStatus(t, r, http.StatusCreated)
	id := r.object(t)["id"].(string)
	convID, _ := f.createConversation(id, "Goes with its group")

	wantStatus(t, f.do(request{method: http.MethodDelete, path: "/groups/" + id}), http.StatusNoContent)
	wantError(t, f.do(request{path: "/groups/" + id}), http.StatusNotFound, "Request_ResourceNotFound")
	wantError(t, f.do(request{path: "/groups/" + id + "/conversations/" + convID}), http.StatusNotFound, "Request_ResourceNotFound")
	wantError(t, f.do(request{method: http.MethodDelete, path: "/groups/" + id}), http.StatusNotFound, "Request_ResourceNotFound")
	for _, g := range f.do(request{path: "/groups"}).values(t) {
		if g["id"] == id {
			t.Errorf("the deleted group is still listed")
		}
	}
	// The other groups and their mailboxes are untouched.
	wantStatus(t, f.do(request{path: "/groups/" + f.team.ID + "/conversations"}), http.StatusOK)
	// Its nickname is free again.
	wantStatus(t, f.do(request{method: http.MethodPost, path: "/groups", body: newGroupBody("Reborn", "doomed", true)}), http.StatusCreated)
	wantError(t, f.do(request{method: http.MethodDelete, path: "/groups/not-a-guid"}), http.StatusBadRequest, "Request_BadRequest")
}
