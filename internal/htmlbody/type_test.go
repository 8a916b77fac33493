package htmlbody

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// nullContent returns a null Content.
func nullContent() Content { return Content{StringValue: basetypes.NewStringNull()} }

const exchangeHead = "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>"

func TestSemanticEquals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b Content
		want bool
	}{
		{"identical", NewContent("<p>x</p>"), NewContent("<p>x</p>"), true},
		{"rewrapped by exchange", NewContent("<p>x</p>"), NewContent(exchangeHead + "<body><div><p>x</p></div></body></html>"), true},
		{"heredoc newline and CRLF", NewContent("<p>x</p>\n<p>y</p>\n"), NewContent(exchangeHead + "<body><div><p>x</p>\r\n<p>y</p></div></body></html>"), true},
		{"different content", NewContent("<p>x</p>"), NewContent(exchangeHead + "<body><div><p>y</p></div></body></html>"), false},
		{"null is never equal", nullContent(), NewContent(""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, diags := tt.a.StringSemanticEquals(context.Background(), tt.b)
			if diags.HasError() {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got != tt.want {
				t.Errorf("StringSemanticEquals(%q, %q) = %v, want %v", tt.a.ValueString(), tt.b.ValueString(), got, tt.want)
			}
		})
	}
}
