package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestGetGroup(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	tests := []struct {
		name     string
		query    string
		wantKeys []string
	}{
		{"all properties", "", []string{"@odata.context", "displayName", "groupTypes", "id", "mail", "mailEnabled", "mailNickname", "securityEnabled"}},
		{"$select", "?$select=displayName,groupTypes", []string{"@odata.context", "displayName", "groupTypes", "id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(request{path: "/groups/" + f.team.ID + tt.query})
			wantStatus(t, r, http.StatusOK)
			m := r.object(t)
			if got := keysOf(m); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("keys = %v, want %v", got, tt.wantKeys)
			}
			if m["id"] != f.team.ID || m["displayName"] != "Fixture Team" {
				t.Errorf("id/displayName = %v/%v", m["id"], m["displayName"])
			}
			if types, ok := m["groupTypes"].([]any); !ok || len(types) != 1 || types[0] != "Unified" {
				t.Errorf("groupTypes = %v", m["groupTypes"])
			}
		})
	}

	t.Run("security group", func(t *testing.T) {
		t.Parallel()
		m := f.do(request{path: "/groups/" + f.security.ID}).object(t)
		if types, ok := m["groupTypes"].([]any); !ok || len(types) != 0 || m["mail"] != nil || m["securityEnabled"] != true {
			t.Errorf("security group = %v", m)
		}
	})
	t.Run("unknown $select property", func(t *testing.T) {
		t.Parallel()
		wantError(t, f.do(request{path: "/groups/" + f.team.ID + "?$select=colour"}), 400, "Request_BadRequest")
	})
	t.Run("AddGroup generates lowercase GUIDs", func(t *testing.T) {
		t.Parallel()
		if !uuidV4.MatchString(f.team.ID) {
			t.Errorf("generated group id %q is not a lowercase UUID v4", f.team.ID)
		}
		g := f.srv.AddGroup(Group{ID: "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE", DisplayName: "Upper", GroupTypes: []string{"Unified"}})
		if g.ID != "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee" {
			t.Errorf("id = %q, want it lowercased", g.ID)
		}
	})
}

func TestListGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	tests := []struct {
		name       string
		filter     string
		wantStatus int
		wantIDs    []string
	}{
		{"no filter", "", 200, []string{f.team.ID, f.other.ID, f.security.ID}},
		{"displayName eq", "displayName eq 'Fixture Team'", 200, []string{f.team.ID}},
		{"displayName is case-insensitive", "displayname eq 'fixture team'", 200, []string{f.team.ID}},
		{"mailNickname eq", "mailNickname eq 'otherteam'", 200, []string{f.other.ID}},
		{"quote inside the literal", "displayName eq 'O''Brien'", 200, []string{}},
		{"no match", "displayName eq 'Nobody'", 200, []string{}},
		{"startswith is unsupported", "startswith(displayName,'F')", 400, nil},
		{"ne is unsupported", "displayName ne 'x'", 400, nil},
		{"other property", "mail eq 'x'", 400, nil},
		{"and is unsupported", "displayName eq 'a' and mailNickname eq 'b'", 400, nil},
		{"unterminated literal", "displayName eq 'abc", 400, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := "/groups"
			if tt.filter != "" {
				path += "?$filter=" + url.QueryEscape(tt.filter)
			}
			r := f.do(request{path: path})
			if tt.wantStatus != 200 {
				wantError(t, r, tt.wantStatus, "Request_UnsupportedQuery")
				return
			}
			wantStatus(t, r, http.StatusOK)
			got := []string{}
			for _, v := range r.values(t) {
				got = append(got, v["id"].(string))
			}
			if !slices.Equal(got, tt.wantIDs) {
				t.Errorf("ids = %v, want %v", got, tt.wantIDs)
			}
		})
	}
}
