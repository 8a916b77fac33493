package provider

import (
	"strings"
	"testing"
)

func TestParseConversationImportID(t *testing.T) {
	t.Parallel()
	const gid = "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10"
	tests := []struct {
		in            string
		wantGroup     string
		wantID        string
		wantErrSubstr string
	}{
		{in: gid + "/AAQkAGI2-Tk_ZmVk=", wantGroup: gid, wantID: "AAQkAGI2-Tk_ZmVk="},
		{in: gid + "/AAQkAGI2%3D", wantGroup: gid, wantID: "AAQkAGI2%3D"},
		{in: "", wantErrSubstr: "must have the form"},
		{in: gid, wantErrSubstr: "must have the form"},
		{in: "not-a-guid/AAQk=", wantErrSubstr: "is not a group object id"},
		{in: gid + "/", wantErrSubstr: "is not a conversation id"},
		{in: gid + "/a/b", wantErrSubstr: "is not a conversation id"},
		{in: gid + "/a b", wantErrSubstr: "is not a conversation id"},
		// Issue 14: dot segments went into DELETE URLs as they were.
		{in: gid + "/..", wantErrSubstr: `".." is not a conversation id (".." names the collection above in a URL)`},
		{in: gid + "/.", wantErrSubstr: `"." is not a conversation id`},
		{in: gid + "/%2e%2E", wantErrSubstr: `"%2e%2E" is not a conversation id`},
		{in: gid + "/.%2e", wantErrSubstr: "is not a conversation id"},
		{in: gid + "/...", wantGroup: gid, wantID: "..."},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			group, id, err := parseConversationImportID(tt.in)
			if tt.wantErrSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstr) {
					t.Fatalf("parseConversationImportID(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErrSubstr)
				}
				return
			}
			if err != nil || group != tt.wantGroup || id != tt.wantID {
				t.Fatalf("parseConversationImportID(%q) = %q, %q, %v", tt.in, group, id, err)
			}
		})
	}
}

func FuzzParseConversationImportID(f *testing.F) {
	f.Add("0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10/AAQkAGI2=")
	f.Add("/")
	f.Add("0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10//")
	f.Fuzz(func(t *testing.T, in string) {
		group, id, err := parseConversationImportID(in)
		if err != nil {
			return
		}
		if group+"/"+id != in || !guidPattern.MatchString(group) || id == "" || strings.Contains(id, "/") || graphIDProblem(id) != "" {
			t.Fatalf("accepted %q as group %q, conversation %q", in, group, id)
		}
	})
}
