package conformance

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// These tests feed the classifiers answers the emulator never gives, the
// ones only a tenant can: the rows must then say that no option matches.

func seq(from, to int) []int {
	var out []int
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		return out
	}
	for i := from; i >= to; i-- {
		out = append(out, i)
	}
	return out
}

func TestClassifyPosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		numbers []int
		total   int
		status  Status
		value   string
	}{
		{"oldest 100, oldest first", seq(0, 99), 102, Matched, "creation"},
		{"newest 100, newest first", seq(101, 2), 102, Matched, "newest-first"},
		{"newest 100, oldest first", seq(2, 101), 102, Unmatched, ""},
		{"oldest 100, newest first", seq(99, 0), 102, Unmatched, ""},
		{"no cap", seq(0, 101), 102, Unmatched, ""},
		{"a cap of 50", seq(0, 49), 102, Unmatched, ""},
		{"few posts, oldest first", seq(0, 4), 5, Consistent, "creation"},
		{"few posts, newest first", seq(4, 0), 5, Consistent, "newest-first"},
		{"shuffled", []int{3, 1, 2, 0, 4}, 5, Unmatched, ""},
		{"a body without its number", append(seq(0, 98), -1), 102, Failed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := classifyPosts("posts", tt.numbers, tt.total, 10, false)
			if f.Status != tt.status {
				t.Fatalf("status = %s, want %s (%s)", f.Status, tt.status, f.Observed)
			}
			if tt.value != "" && (len(f.Settings) != 1 || f.Settings[0] != exactly(flagPostsOrder, tt.value)) {
				t.Errorf("settings = %+v, want -posts-order=%s", f.Settings, tt.value)
			}
		})
	}
}

func TestClassifyOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		positions [3]int
		status    Status
		value     string
	}{
		{[3]int{151, 152, 153}, Matched, "creation"},
		{[3]int{1, 3, 2}, Matched, "newest-first"},
		{[3]int{3, 2, 1}, Unmatched, ""},
		{[3]int{2, 1, 3}, Unmatched, ""},
		{[3]int{0, 0, 0}, Consistent, "creation"},
	}
	for _, tt := range tests {
		f := classifyOrder("order", tt.positions, 153, 1)
		if f.Status != tt.status {
			t.Errorf("%v: status = %s, want %s (%s)", tt.positions, f.Status, tt.status, f.Observed)
			continue
		}
		if tt.value != "" && (len(f.Settings) != 1 || f.Settings[0].Value != tt.value) {
			t.Errorf("%v: settings = %+v, want -list-order=%s", tt.positions, f.Settings, tt.value)
		}
	}
}

func TestClassifyBody(t *testing.T) {
	t.Parallel()
	html := body{"html", `<p id="a">Hi <a href="https://example.com/">there</a></p>`}
	text := body{"text", "one & <two>\nthree"}
	tests := []struct {
		name   string
		posted body
		got    body
		status Status
		want   []Setting
	}{
		{"the wrapper", html, body{"html", "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div>" + html.Content + "</div></body></html>"},
			Matched, []Setting{exactly(flagHTMLShape, "wrapped")}},
		{"the sanitiser", html, body{"html", `<html><body><div><div style="direction:ltr;"><p id="x_a">Hi <a href="https://example.com/" data-auth="NotApplicable">there</a></p></div></div></body></html>`},
			Matched, []Setting{exactly(flagHTMLShape, "sanitised")}},
		{"the sanitiser with line breaks", html, body{"html", "<html>\n<body>\n<div>\n<div style=\"direction:ltr;\">\n<p id=\"x_a\">Hi <a href=\"https://example.com/\" data-auth=\"NotApplicable\">there</a></p>\n</div>\n</div>\n</body>\n</html>"},
			Approximate, []Setting{exactly(flagHTMLShape, "sanitised")}},
		{"the sanitiser's marks with more markup", html, body{"html", `<html><head><style>p{}</style></head><body><div><div style="direction:ltr;"><p id="x_a" dir="ltr">Hi <a href="https://example.com/" data-auth="NotApplicable">there</a></p></div></div></body></html>`},
			Approximate, []Setting{exactly(flagHTMLShape, "sanitised")}},
		{"verbatim", html, html, Unmatched, nil},
		{"text kept", text, text, Matched, []Setting{exactly(flagTextToHTML, false)}},
		{"text converted as the emulator does", text, body{"html", "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><div>one &amp; &lt;two&gt;<br>\r\nthree</div></body></html>"},
			Matched, []Setting{exactly(flagTextToHTML, true), exactly(flagHTMLShape, "wrapped")}},
		{"text converted otherwise", text, body{"html", "<html><body><pre>one &amp; &lt;two&gt;\nthree</pre></body></html>"}, Unmatched, nil},
		{"text with CRLF", text, body{"text", "one & <two>\r\nthree"}, Approximate, []Setting{exactly(flagTextToHTML, false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := classifyBody("body", tt.posted, tt.got)
			if f.Status != tt.status {
				t.Fatalf("status = %s, want %s (%s)", f.Status, tt.status, f.Observed)
			}
			if !slices.Equal(f.Settings, tt.want) {
				t.Errorf("settings = %+v, want %+v", f.Settings, tt.want)
			}
			if len(f.Details) != 2 || !strings.Contains(f.Details[1], tt.got.Content) {
				t.Errorf("details do not quote what was read back: %q", f.Details)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	flags, err := parseEmulatorArgs([]string{"-max-page-size=100", "-list-order=newest-first", "-mailbox-delay=3s", "-top-caps-total"})
	if err != nil {
		t.Fatal(err)
	}
	agree := []Setting{
		exactly(flagMaxPageSize, 100), exactly(flagListOrder, "newest-first"), exactly(flagTopCapsTotal, true),
		exactly(flagHTMLShape, "wrapped"), {Flag: flagMaxPageSize, Value: "60", AtLeast: true},
		{Flag: flagMailboxDelay, Value: "3.9s", Within: time.Second}, {Flag: flagMailboxDelay, Value: "2s", AtLeast: true},
	}
	for _, s := range agree {
		if ok, why := flags.agrees(s); !ok {
			t.Errorf("%+v: %s", s, why)
		}
	}
	disagree := []Setting{
		exactly(flagMaxPageSize, 10), exactly(flagListOrder, "creation"), exactly(flagTopCapsTotal, false),
		{Flag: flagMaxPageSize, Value: "153", AtLeast: true}, {Flag: flagMailboxDelay, Value: "4.5s", Within: time.Second},
		{Flag: flagMailboxDelay, Value: "1m", AtLeast: true}, exactly("no-such-flag", 1),
	}
	for _, s := range disagree {
		if ok, _ := flags.agrees(s); ok {
			t.Errorf("%+v agrees with %q", s, []string{"-max-page-size=100", "-list-order=newest-first", "-mailbox-delay=3s"})
		}
	}
	f := newEmulatorFlags()
	renders := map[Setting]string{
		exactly(flagTopCapsTotal, true):                       "-top-caps-total",
		exactly(flagTopCapsTotal, false):                      "no -top-caps-total (the default)",
		exactly(flagListOrder, "creation"):                    "-list-order=creation (the default)",
		exactly(flagMaxPageSize, 100):                         "-max-page-size=100",
		{Flag: flagMaxPageSize, Value: "153", AtLeast: true}:  "-max-page-size ≥ 153 (the default, 1000, fits)",
		{Flag: flagMaxPageSize, Value: "2000", AtLeast: true}: "-max-page-size ≥ 2000",
		{Flag: flagMailboxDelay, Value: "3m0s", Within: 11e9}: "-mailbox-delay=3m0s (± 11s)",
	}
	for s, want := range renders {
		if got := f.render(s); got != want {
			t.Errorf("render(%+v) = %q, want %q", s, got, want)
		}
	}
	r := &Report{Findings: []Finding{
		{Status: Matched, Settings: []Setting{exactly(flagListOrder, "newest-first"), exactly(flagTopCapsTotal, false)}},
		{Status: Consistent, Settings: []Setting{{Flag: flagMaxPageSize, Value: "153", AtLeast: true}}},
		{Status: Approximate, Settings: []Setting{exactly(flagHTMLShape, "sanitised")}},
		{Status: Matched, Settings: []Setting{exactly(flagMaxPageSize, 100), exactly(flagListOrder, "newest-first")}},
	}}
	if got, want := r.EmulatorArgs(), []string{"-list-order=newest-first", "-max-page-size=100"}; !slices.Equal(got, want) {
		t.Errorf("EmulatorArgs = %q, want %q", got, want)
	}
}

func TestMarkdownCells(t *testing.T) {
	t.Parallel()
	r := &Report{Findings: []Finding{{Behaviour: "a | b", Observed: "line\r\nnext " + code("<div>`x`</div>"), Status: Unmatched, Note: "none"}}}
	md := r.Markdown()
	if !strings.Contains(md, "| a \\| b | line\\r\\nnext ``<div>`x`</div>`` | none | no option |") {
		t.Errorf("row not escaped:\n%s", md)
	}
}
