package provider

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/htmlbody"
)

// The schema parts both resources share: a first post's body, a list of
// recipients, and the computed summary Graph keeps of a conversation or a
// thread. Each is defined once, so the two resources cannot drift apart.

type itemBodyModel struct {
	ContentType types.String     `tfsdk:"content_type"`
	Content     htmlbody.Content `tfsdk:"content"`
}

type recipientModel struct {
	Address types.String `tfsdk:"address"`
	Name    types.String `tfsdk:"name"`
}

var (
	itemBodyAttrTypes = map[string]attr.Type{
		"content_type": types.StringType,
		"content":      htmlbody.ContentType{},
	}
	recipientAttrTypes = map[string]attr.Type{
		"address": types.StringType,
		"name":    types.StringType,
	}
	recipientElementType = types.ObjectType{AttrTypes: recipientAttrTypes}
)

// bodyAttribute is the body of a first post. It cannot change, so a
// different body replaces the object, but a body that is the same post
// (sameBodyKeepsState) plans nothing.
func bodyAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: description + " A configured body that is the same post as the one in the state (other line ends, " +
			"a trailing newline, surrounding white space, the document and wrappers Exchange stores HTML in, text Exchange turned " +
			"into HTML) is not a change.",
		Required:      true,
		PlanModifiers: []planmodifier.Object{sameBodyKeepsState{}, objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"content_type": schema.StringAttribute{
				MarkdownDescription: "`html` (the default) or `text`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString("html"),
				Validators:          []validator.String{stringvalidator.OneOf("html", "text")},
			},
			"content": schema.StringAttribute{
				MarkdownDescription: "The post's content. Graph stores HTML wrapped in a document of its own; " +
					"that wrapping is not a change.",
				Required:   true,
				CustomType: htmlbody.ContentType{},
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

// sameBodyKeepsState plans the state's body when the configured one is the
// same post (graph.SameBody): two texts equal once line ends and surrounding
// white space are set aside, or, when either is HTML, equal as a reader
// sees them, whatever document, wrappers and sanitising Exchange stored the
// HTML in and whether it turned text into HTML. It runs ahead of
// RequiresReplace, which then sees no change. Reformatting a body, say as a
// heredoc with its trailing newline, or writing the body an import read in
// the form it was posted, would otherwise delete the object and its replies
// to post the same text again.
type sameBodyKeepsState struct{}

func (sameBodyKeepsState) Description(context.Context) string {
	return "Keeps the body in the state when the configured body is the same post."
}

func (m sameBodyKeepsState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameBodyKeepsState) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	var planned, stored itemBodyModel
	resp.Diagnostics.Append(req.PlanValue.As(ctx, &planned, basetypes.ObjectAsOptions{})...)
	resp.Diagnostics.Append(req.StateValue.As(ctx, &stored, basetypes.ObjectAsOptions{})...)
	if resp.Diagnostics.HasError() || planned.Content.IsUnknown() || planned.ContentType.IsUnknown() ||
		planned.Content.IsNull() || stored.Content.IsNull() {
		return
	}
	if graph.SameBody(
		graph.ItemBody{ContentType: contentTypeOrDefault(planned.ContentType), Content: planned.Content.ValueString()},
		graph.ItemBody{ContentType: contentTypeOrDefault(stored.ContentType), Content: stored.Content.ValueString()}) {
		resp.PlanValue = req.StateValue
	}
}

func contentTypeOrDefault(v types.String) string {
	if v.IsNull() || v.ValueString() == "" {
		return "html"
	}
	return v.ValueString()
}

// topicAttribute is a conversation's or thread's topic. It cannot change,
// so a different topic replaces the object, but a topic Graph read back in
// Exchange's normalised form (without its "FYI: " or "RE: " prefix) is the
// configured one, and plans nothing (sameTopicKeepsState). A thread's topic
// is its conversation's, so for a thread either form is the other
// (eitherWay): a configuration that takes it from an imported conversation
// writes the normalised form. Topics longer than Exchange takes are refused
// at plan time.
func topicAttribute(description string, eitherWay bool) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description + fmt.Sprintf(" At most %d characters (counted as Exchange does, in UTF-16 code units: "+
			"most emoji count two). Exchange may store the topic without a short prefix such as `FYI: ` or `RE: `; "+
			"that is not a change.", graph.MaxTopicLength),
		Required:      true,
		PlanModifiers: []planmodifier.String{sameTopicKeepsState{eitherWay: eitherWay}, stringplanmodifier.RequiresReplace()},
		Validators: []validator.String{
			stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty or only white space"),
			topicLengthValidator{},
		},
	}
}

// sameTopicKeepsState plans the state's topic when the configured one is
// the topic Graph holds (graph.SameTopic): an import reads the topic back
// as Graph stores it, which may be without the prefix the configuration
// writes. It runs ahead of RequiresReplace, which then sees no change;
// Terraform accepts a planned value that differs from the configuration
// when it is the prior state's. With eitherWay, a configured topic that is
// the normalised form of the state's is the same topic too.
type sameTopicKeepsState struct{ eitherWay bool }

func (sameTopicKeepsState) Description(context.Context) string {
	return "Keeps the topic in the state when the configured topic is the one Graph stored."
}

func (m sameTopicKeepsState) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (m sameTopicKeepsState) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	planned, stored := req.PlanValue.ValueString(), req.StateValue.ValueString()
	if graph.SameTopic(planned, stored) || m.eitherWay && graph.SameTopic(stored, planned) {
		resp.PlanValue = req.StateValue
	}
}

// topicLengthValidator refuses a topic longer than Exchange takes, counted
// the way Exchange counts.
type topicLengthValidator struct{}

func (topicLengthValidator) Description(context.Context) string {
	return fmt.Sprintf("must be at most %d characters long (UTF-16 code units)", graph.MaxTopicLength)
}

func (v topicLengthValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v topicLengthValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if n := graph.TopicLength(req.ConfigValue.ValueString()); n > graph.MaxTopicLength {
		resp.Diagnostics.AddAttributeError(req.Path, "Topic Too Long",
			fmt.Sprintf("The topic is %d characters long, counted as Exchange counts them (in UTF-16 code units: a character "+
				"outside the Basic Multilingual Plane, such as most emoji, counts two). Exchange takes at most %d. Shorten the topic.",
				n, graph.MaxTopicLength))
	}
}

// keptTopic is the topic to keep in the state after Graph read back stored:
// the one the state holds when it is the same topic, Graph's otherwise (an
// import, or a conversation whose topic is not the one configured).
func keptTopic(state types.String, stored string) types.String {
	if !state.IsNull() && !state.IsUnknown() && graph.SameTopic(state.ValueString(), stored) {
		return state
	}
	return types.StringValue(stored)
}

// recipientListAttribute is a list of recipients fixed when the object is
// created. An empty list means none, exactly as leaving it out does: both
// plan an empty list.
func recipientListAttribute(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: description + " `[]` and leaving it out both mean none.",
		Optional:            true,
		Computed:            true,
		Default:             listdefault.StaticValue(types.ListValueMust(recipientElementType, []attr.Value{})),
		PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplaceIf(
			func(_ context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
				// A state written before empty lists were the default holds
				// null for none, which is no change either.
				resp.RequiresReplace = !(isEmptyList(req.StateValue) && isEmptyList(req.PlanValue))
			},
			"Replaces the object when the recipients change; none (null) and none ([]) are the same.",
			"Replaces the object when the recipients change; none (`null`) and none (`[]`) are the same.",
		)},
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"address": schema.StringAttribute{
					MarkdownDescription: "Email address.",
					Required:            true,
					Validators:          []validator.String{emailValidator()},
				},
				"name": schema.StringAttribute{
					MarkdownDescription: "Display name.",
					Optional:            true,
				},
			},
		},
	}
}

func isEmptyList(v types.List) bool {
	return v.IsNull() || (!v.IsUnknown() && len(v.Elements()) == 0)
}

// recipientsValue is the value of a recipient list attribute: an empty list
// for none, as the attribute's default is.
func recipientsValue(recipients []graph.Recipient) (types.List, diag.Diagnostics) {
	list, diags := recipientListValue(recipients)
	if list.IsNull() {
		return types.ListValueMust(recipientElementType, []attr.Value{}), diags
	}
	return list, diags
}

// groupIDAttribute is the group whose mailbox holds the object.
func groupIDAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose mailbox holds the conversation.",
		Required:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		Validators:          []validator.String{guidValidator()},
	}
}

// idAttribute is an id Graph assigns, stable for the object's life.
func idAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// summaryModel holds what Graph computes about a conversation or a thread
// from its posts. It changes whenever someone replies, which a refresh
// picks up; a plan keeps the refreshed values (UseStateForUnknown), so that
// a change Graph makes in place, or none at all, does not show them as
// unknown, and an update keeps what its plan said.
type summaryModel struct {
	HasAttachments        types.Bool   `tfsdk:"has_attachments"`
	LastDeliveredDateTime types.String `tfsdk:"last_delivered_date_time"`
	Preview               types.String `tfsdk:"preview"`
	UniqueSenders         types.List   `tfsdk:"unique_senders"`
}

// summaryAttributes are the schema of summaryModel; of names the object in
// descriptions, e.g. "the conversation".
func summaryAttributes(of string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"has_attachments": schema.BoolAttribute{
			MarkdownDescription: fmt.Sprintf("Whether any post of %s has an attachment.", of),
			Computed:            true,
			PlanModifiers:       []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
		},
		"last_delivered_date_time": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("When the latest post of %s was delivered (RFC 3339, UTC). Changes when someone replies.", of),
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"preview": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("A short plain-text summary of the latest post of %s. Changes when someone replies.", of),
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"unique_senders": schema.ListAttribute{
			MarkdownDescription: fmt.Sprintf("Display names of everyone who posted to %s.", of),
			Computed:            true,
			ElementType:         types.StringType,
			PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
		},
	}
}

// clear makes the summary null until Graph has told us its values, so a
// state saved early holds nothing unknown.
func (m *summaryModel) clear() {
	m.HasAttachments = types.BoolNull()
	m.LastDeliveredDateTime = types.StringNull()
	m.Preview = types.StringNull()
	m.UniqueSenders = types.ListNull(types.StringType)
}

// set takes the summary Graph computed.
func (m *summaryModel) set(ctx context.Context, hasAttachments bool, lastDelivered time.Time, preview string, senders []string) diag.Diagnostics {
	m.HasAttachments = types.BoolValue(hasAttachments)
	m.LastDeliveredDateTime = timeValue(lastDelivered)
	m.Preview = types.StringValue(preview)
	list, diags := stringListValue(ctx, senders)
	m.UniqueSenders = list
	return diags
}

// keepUnknownFrom fills what a plan left unknown with the prior state's
// values: an update that changes nothing in Graph knows nothing newer.
func (m *summaryModel) keepUnknownFrom(prior summaryModel) {
	if m.HasAttachments.IsUnknown() {
		m.HasAttachments = prior.HasAttachments
	}
	if m.LastDeliveredDateTime.IsUnknown() {
		m.LastDeliveredDateTime = prior.LastDeliveredDateTime
	}
	if m.Preview.IsUnknown() {
		m.Preview = prior.Preview
	}
	if m.UniqueSenders.IsUnknown() {
		m.UniqueSenders = prior.UniqueSenders
	}
}
