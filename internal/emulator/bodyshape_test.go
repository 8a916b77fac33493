package emulator

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStoredBodyShapes(t *testing.T) {
	t.Parallel()
	const meta = `<meta http-equiv="Content-Type" content="text/html; charset=utf-8">`
	tests := []struct {
		name      string
		behaviour Behaviour
		in        ItemBody
		want      ItemBody
	}{
		{"wrapped html", Behaviour{}, ItemBody{"html", "<p id=\"a\">Hi</p>\n<p>there</p>"},
			ItemBody{"html", "<html><head>\r\n" + meta + "</head><body><div><p id=\"a\">Hi</p>\n<p>there</p></div></body></html>"}},
		{"wrapped keeps a document verbatim", Behaviour{}, ItemBody{"html", "<html><body>x</body></html>"},
			ItemBody{"html", "<html><head>\r\n" + meta + "</head><body><div><html><body>x</body></html></div></body></html>"}},
		{"text stays text", Behaviour{}, ItemBody{"text", "a < b\nc"}, ItemBody{"text", "a < b\nc"}},
		{"sanitised", Behaviour{HTMLShape: HTMLSanitised},
			ItemBody{"html", `<table id="bodyTable" class="main wide"><tr><td id=cell>Join <a href="https://example.com/x?a=1&amp;b=2">here</a></td></tr></table>`},
			ItemBody{"html", `<html><body><div><div style="direction:ltr;"><table id="x_bodyTable" class="x_main x_wide"><tr><td id=x_cell>Join <a href="https://example.com/x?a=1&amp;b=2" data-auth="NotApplicable">here</a></td></tr></table></div></div></body></html>`}},
		{"sanitised takes a document's body", Behaviour{HTMLShape: HTMLSanitised},
			ItemBody{"html", "<html><head><title>t</title></head><BODY class=\"b\"><p class=\"c\">x</p></Body></html>"},
			ItemBody{"html", `<html><body><div><div style="direction:ltr;"><p class="x_c">x</p></div></div></body></html>`}},
		{"message", Behaviour{HTMLShape: HTMLMessage}, ItemBody{"html", "<p>You should be proud!</p>\n<p>Really.</p>"},
			ItemBody{"html", "<html>\r\n<head>\r\n" + meta + "\r\n</head>\r\n<body>\r\n<p>You should be proud!</p>\r\n<p>Really.</p>\r\n</body>\r\n</html>\r\n"}},
		{"text to html, wrapped", Behaviour{TextToHTML: true}, ItemBody{"text", "a < b & c\r\nnext > line\nlast"},
			ItemBody{"html", "<html><head>\r\n" + meta + "</head><body><div>a &lt; b &amp; c<br>\r\nnext &gt; line<br>\r\nlast</div></body></html>"}},
		{"text to html, message", Behaviour{TextToHTML: true, HTMLShape: HTMLMessage}, ItemBody{"text", "one\ntwo"},
			ItemBody{"html", "<html>\r\n<head>\r\n" + meta + "\r\n</head>\r\n<body>\r\none<br>\r\ntwo\r\n</body>\r\n</html>\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{Behaviour: tt.behaviour})
			r := f.do(request{method: http.MethodPost, path: "/groups/" + f.team.ID + "/conversations", body: newConversationBody("Shapes", tt.in.ContentType, tt.in.Content)})
			wantStatus(t, r, http.StatusCreated)
			cid := r.object(t)["id"].(string)
			tid := r.object(t)["threads"].([]any)[0].(map[string]any)["id"].(string)
			post := f.do(request{path: "/groups/" + f.team.ID + "/threads/" + tid + "/posts"}).values(t)[0]
			body := post["body"].(map[string]any)
			if got := (ItemBody{body["contentType"].(string), body["content"].(string)}); got != tt.want {
				t.Errorf("stored body =\n%q\nwant\n%q", got, tt.want)
			}
			// The preview is made from what was posted, whatever the shape.
			if got, want := f.do(request{path: "/groups/" + f.team.ID + "/conversations/" + cid}).object(t)["preview"], previewOf(tt.in); got != want {
				t.Errorf("preview = %q, want %q", got, want)
			}
		})
	}
}

func TestSanitiseMarkup(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain text", "a < b & c > d", "a < b & c > d"},
		{"single quotes", `<div id='x'>y</div>`, `<div id='x_x'>y</div>`},
		{"spaces around =", `<div id = "x">`, `<div id = "x_x">`},
		{"uppercase attribute", `<DIV ID="x" CLASS="a">`, `<DIV ID="x_x" CLASS="x_a">`},
		{"already prefixed", `<div id="x_a">`, `<div id="x_x_a">`},
		{"empty id", `<div id="">`, `<div id="">`},
		{"blank class list", `<div class="  a   b ">`, `<div class="x_a x_b">`},
		{"link already marked", `<a href="u" data-auth="Other">l</a>`, `<a href="u" data-auth="Other">l</a>`},
		{"anchor without href", `<a name="top">t</a>`, `<a name="top">t</a>`},
		{"self-closing link", `<a href="u"/>`, `<a href="u" data-auth="NotApplicable"/>`},
		{"bare attribute", `<input disabled id="i">`, `<input disabled id="x_i">`},
		{"id lookalikes", `<div data-id="a" idx="b" valid="c">`, `<div data-id="a" idx="b" valid="c">`},
		{"id in text or comments", `id="a" <!-- <p id="b"> -->`, `id="a" <!-- <p id="b"> -->`},
		{"end tags untouched", `</div id="a">`, `</div id="a">`},
		{"quoted >", `<div title="a>b" id="c">`, `<div title="a>b" id="x_c">`},
		{"unclosed quote", `<div id="a>b`, `<div id="a>b`},
		{"unclosed tag", `<div id="a"`, `<div id="a"`},
		{"unclosed comment", `x<!-- <p id="a">`, `x<!-- <p id="a">`},
		{"multibyte text", `<p id="ü">Grüße</p>`, `<p id="x_ü">Grüße</p>`},
	}
	for _, tt := range tests {
		if got := sanitiseMarkup(tt.in); got != tt.want {
			t.Errorf("%s: sanitiseMarkup(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestBodyOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<p>no document</p>", "<p>no document</p>"},
		{"<html><body>inner</body></html>", "inner"},
		{"<body class='x'>a</body>", "a"},
		{"<body>unclosed", "unclosed"},
		{"<bodyguard>not a body</bodyguard>", "<bodyguard>not a body</bodyguard>"},
		{"<body", ""},
		{"<body>a</body>b</body>", "a</body>b"},
	}
	for _, tt := range tests {
		if got := bodyOf(tt.in); got != tt.want {
			t.Errorf("bodyOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSanitiseMarkup checks that the sanitiser never fails on any input,
// keeps valid UTF-8 valid, and leaves markup-free text alone.
func FuzzSanitiseMarkup(f *testing.F) {
	for _, seed := range []string{`<a href=x>`, `<div id='a' class="b c">t</div>`, `<!--`, `<p =">" id=a>`, "<\xff id=a>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := sanitiseMarkup(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("sanitiseMarkup(%q) = %q is not valid UTF-8", s, got)
		}
		if !strings.Contains(s, "<") && got != s {
			t.Fatalf("sanitiseMarkup(%q) = %q changed text without markup", s, got)
		}
		_ = HTMLMessage.document(s)
		_ = bodyOf(s)
	})
}
