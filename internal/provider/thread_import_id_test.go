package provider

import (
	"strings"
	"testing"
)

func TestParseThreadImportID(t *testing.T) {
	t.Parallel()
	const gid = "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10"
	tests := []struct {
		in                         string
		wantGroup, wantConv, wantT string
		wantErrSubstr              string
	}{
		{in: gid + "/AAQkAGI2-Tk_ZmVk=/AAQkAGI2MkABAA==", wantGroup: gid, wantConv: "AAQkAGI2-Tk_ZmVk=", wantT: "AAQkAGI2MkABAA=="},
		{in: gid + "/AAQkAGI2%3D/AAQkAGI3%3D%3D", wantGroup: gid, wantConv: "AAQkAGI2%3D", wantT: "AAQkAGI3%3D%3D"},
		{in: "", wantErrSubstr: "must have the form {group_id}/{conversation_id}/{thread_id}"},
		{in: gid + "/AAQkAGI2=", wantErrSubstr: "must have the form"},
		{in: gid + "/a/b/c", wantErrSubstr: "must have the form"},
		{in: "not-a-guid/AAQk=/AAQk==", wantErrSubstr: `"not-a-guid" is not a group object id`},
		{in: gid + "//AAQk==", wantErrSubstr: `"" is not a conversation id`},
		{in: gid + "/AAQk=/", wantErrSubstr: `"" is not a thread id`},
		{in: gid + "/AA Qk=/AAQk==", wantErrSubstr: "is not a conversation id"},
		{in: gid + "/AAQk=/AAQk==\n", wantErrSubstr: "is not a thread id"},
		// Issue 14: dot segments went into DELETE URLs as they were.
		{in: gid + "/../AAQk==", wantErrSubstr: `".." is not a conversation id`},
		{in: gid + "/AAQk=/.", wantErrSubstr: `"." is not a thread id`},
		{in: gid + "/AAQk=/%2E%2e", wantErrSubstr: `"%2E%2e" is not a thread id`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			group, conversation, thread, err := parseThreadImportID(tt.in)
			if tt.wantErrSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstr) {
					t.Fatalf("parseThreadImportID(%q) error = %v, want it to contain %q", tt.in, err, tt.wantErrSubstr)
				}
				return
			}
			if err != nil || group != tt.wantGroup || conversation != tt.wantConv || thread != tt.wantT {
				t.Fatalf("parseThreadImportID(%q) = %q, %q, %q, %v", tt.in, group, conversation, thread, err)
			}
		})
	}
}

func FuzzParseThreadImportID(f *testing.F) {
	f.Add("0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10/AAQkAGI2=/AAQkAGI2MkABAA==")
	f.Add("//")
	f.Add("0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10///")
	f.Add("0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10/a b/c")
	f.Fuzz(func(t *testing.T, in string) {
		group, conversation, thread, err := parseThreadImportID(in)
		if err != nil {
			return
		}
		if group+"/"+conversation+"/"+thread != in || !guidPattern.MatchString(group) ||
			graphIDProblem(conversation) != "" || graphIDProblem(thread) != "" {
			t.Fatalf("accepted %q as group %q, conversation %q, thread %q", in, group, conversation, thread)
		}
	})
}
