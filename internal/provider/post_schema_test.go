package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed40294029/terraform-provider-msgraph/internal/htmlbody"
)

func bodyValue(contentType, content string) types.Object {
	return types.ObjectValueMust(itemBodyAttrTypes, map[string]attr.Value{
		"content_type": types.StringValue(contentType),
		"content":      htmlbody.NewContent(content),
	})
}

func TestSameBodyKeepsState(t *testing.T) {
	t.Parallel()
	stored := bodyValue("html", "<p>Hello</p>\n<p>Agenda</p>")
	tests := []struct {
		name      string
		state     types.Object
		plan      types.Object
		wantState bool
	}{
		{"heredoc newline", stored, bodyValue("html", "<p>Hello</p>\n<p>Agenda</p>\n"), true},
		{"CRLF and white space", stored, bodyValue("html", "  <p>Hello</p>\r\n<p>Agenda</p>\r\n"), true},
		{"Exchange's wrapping", stored, bodyValue("html", "<html><head></head><body><div><p>Hello</p>\n<p>Agenda</p></div></body></html>"), true},
		{"other content", stored, bodyValue("html", "<p>Hello</p>"), false},
		{"other content type", stored, bodyValue("text", "<p>Hello</p>\n<p>Agenda</p>"), false},
		{"create", types.ObjectNull(itemBodyAttrTypes), bodyValue("html", "<p>Hello</p>"), false},
		{"unknown plan", stored, types.ObjectUnknown(itemBodyAttrTypes), false},
		{"unknown content", stored, types.ObjectValueMust(itemBodyAttrTypes, map[string]attr.Value{
			"content_type": types.StringValue("html"), "content": htmlbody.Content{StringValue: types.StringUnknown()},
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := planmodifier.ObjectRequest{StateValue: tt.state, PlanValue: tt.plan, ConfigValue: tt.plan}
			resp := &planmodifier.ObjectResponse{PlanValue: tt.plan}
			sameBodyKeepsState{}.PlanModifyObject(context.Background(), req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatal(resp.Diagnostics)
			}
			want := tt.plan
			if tt.wantState {
				want = tt.state
			}
			if !resp.PlanValue.Equal(want) {
				t.Fatalf("planned %v, want %v", resp.PlanValue, want)
			}
		})
	}
}
