package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/htmlbody"
)

// The conversions in this file turn what Graph returns for posts and
// recipients into the attribute values of resources and data sources, so
// that every resource that imports a post reads it back the same way.

// importedBody is a post body as the user would have written it in a
// configuration (graph.ImportedBody): an empty content type is Graph's
// default, html; the document, wrappers and sanitising Exchange adds to
// HTML are removed; text a mail store turned into HTML is text again.
func importedBody(body graph.ItemBody) (types.Object, diag.Diagnostics) {
	imported := graph.ImportedBody(body)
	return types.ObjectValue(itemBodyAttrTypes, map[string]attr.Value{
		"content_type": types.StringValue(imported.ContentType),
		"content":      htmlbody.NewContent(imported.Content),
	})
}

// warnFullThread says, on import, when Graph listed a full 100 posts of the
// thread that holds the first post: the thread may hold more, so the first
// post was looked for along inReplyTo, which a service that does not return
// inReplyTo would not show.
func warnFullThread(diags *diag.Diagnostics, threadID string, first graph.StartingPost) {
	if !first.ListFull {
		return
	}
	diags.AddWarning("Thread Holds 100 Posts or More",
		fmt.Sprintf("Microsoft Graph lists at most %d posts of a thread, and listed %d of thread %s, so its first post may not "+
			"have been among them. The provider followed inReplyTo from the earliest post listed back %d post(s) to post %s, "+
			"which replies to none, and took its body as the one the configuration writes. If the plan shows a different body, "+
			"check that post in Outlook.", graph.MaxListedPosts, graph.MaxListedPosts, threadID, first.StepsBack, first.ID))
}

// recipientListValue is a list of recipient objects, or null for none: an
// optional list left out of a configuration is null, so an empty list from
// Graph must be too.
func recipientListValue(recipients []graph.Recipient) (types.List, diag.Diagnostics) {
	elementType := types.ObjectType{AttrTypes: recipientAttrTypes}
	if len(recipients) == 0 {
		return types.ListNull(elementType), nil
	}
	var diags diag.Diagnostics
	elements := make([]attr.Value, 0, len(recipients))
	for _, r := range recipients {
		element, d := recipientValue(r)
		diags.Append(d...)
		elements = append(elements, element)
	}
	list, d := types.ListValue(elementType, elements)
	diags.Append(d...)
	return list, diags
}

// recipientValue is one recipient object, or null when Graph sent none.
func recipientValue(r graph.Recipient) (types.Object, diag.Diagnostics) {
	if r.Address == "" && r.Name == "" {
		return types.ObjectNull(recipientAttrTypes), nil
	}
	return types.ObjectValue(recipientAttrTypes, map[string]attr.Value{
		"address": stringOrNull(r.Address),
		"name":    stringOrNull(r.Name),
	})
}

// recipientsFromList converts a configured list of recipients for Graph.
func recipientsFromList(ctx context.Context, list types.List) ([]graph.Recipient, diag.Diagnostics) {
	if list.IsNull() || list.IsUnknown() {
		return nil, nil
	}
	var models []recipientModel
	diags := list.ElementsAs(ctx, &models, false)
	out := make([]graph.Recipient, 0, len(models))
	for _, m := range models {
		out = append(out, graph.Recipient{Address: m.Address.ValueString(), Name: m.Name.ValueString()})
	}
	return out, diags
}

// timeValue formats a Graph time as RFC 3339 in UTC, or null when Graph
// gave none.
func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// timeOf reads a time attribute written by timeValue; zero when it is null,
// unknown or not a time.
func timeOf(v types.String) time.Time {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v.ValueString())
	if err != nil {
		return time.Time{}
	}
	return t
}

// stringListValue is a list of strings that is empty rather than null when
// Graph sent none, as computed lists are.
func stringListValue(ctx context.Context, values []string) (types.List, diag.Diagnostics) {
	return types.ListValueFrom(ctx, types.StringType, nonNil(values))
}
