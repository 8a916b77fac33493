package graph

import "testing"

const exchangeHead = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>"

func TestUnwrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain text is unchanged", "hello", "hello"},
		{"fragment is unchanged", "<p>Agenda inside.</p>", "<p>Agenda inside.</p>"},
		{"exchange document", exchangeHead + "<body><div><p>Agenda inside.</p></div></body></html>", "<p>Agenda inside.</p>"},
		{"keeps inner white space exactly", exchangeHead + "<body><div>\n  <p>a</p>\n</div></body></html>", "\n  <p>a</p>\n"},
		{"user's own div survives", exchangeHead + "<body><div><div class=\"x\">a</div></div></body></html>", "<div class=\"x\">a</div>"},
		{"two sibling divs are not a wrapper", "<html><body><div>a</div><div>b</div></body></html>", "<div>a</div><div>b</div>"},
		{"body attributes and case", "<HTML><BODY dir=\"ltr\"><DIV>x</DIV></BODY></HTML>", "x"},
		{"no wrapping div", "<html><body><p>x</p></body></html>", "<p>x</p>"},
		{"unbalanced div", "<html><body><div>a</body></html>", "<div>a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := UnwrapHTML(tt.in); got != tt.want {
				t.Errorf("UnwrapHTML(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzUnwrapHTML(f *testing.F) {
	f.Add(exchangeHead + "<body><div><p>x</p></div></body></html>")
	f.Add("<div><div></div>")
	f.Add("</div><div>")
	f.Fuzz(func(t *testing.T, s string) {
		got := UnwrapHTML(s)
		if len(got) > len(s) {
			t.Fatalf("UnwrapHTML grew its input: %q -> %q", s, got)
		}
		if !SameBodyContent(s, s) {
			t.Fatalf("%q is not equal to itself", s)
		}
	})
}
