package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/htmlbody"
)

var (
	_ resource.Resource                = &groupConversationResource{}
	_ resource.ResourceWithConfigure   = &groupConversationResource{}
	_ resource.ResourceWithImportState = &groupConversationResource{}
)

// Default operation deadlines, changed per resource with a timeouts block.
// They are the only bound on retries after throttling (Graph's Retry-After
// is honoured however long it is), on the wait for a new conversation to
// become readable, and on the search for a create whose answer was lost.
const (
	conversationCreateTimeout = 10 * time.Minute
	conversationReadTimeout   = 5 * time.Minute
	conversationDeleteTimeout = 5 * time.Minute
)

// privateCreatedAt is the private state key holding when this provider
// created the conversation, so a refresh soon after can tell "not yet
// visible" from "deleted".
const privateCreatedAt = "created_at"

// NewGroupConversationResource returns the msgraph_group_conversation resource.
func NewGroupConversationResource() resource.Resource {
	return &groupConversationResource{}
}

type groupConversationResource struct {
	client *graph.Client
}

type groupConversationResourceModel struct {
	ID                    types.String   `tfsdk:"id"`
	GroupID               types.String   `tfsdk:"group_id"`
	Topic                 types.String   `tfsdk:"topic"`
	Body                  types.Object   `tfsdk:"body"`
	NewParticipants       types.List     `tfsdk:"new_participants"`
	ThreadID              types.String   `tfsdk:"thread_id"`
	HasAttachments        types.Bool     `tfsdk:"has_attachments"`
	LastDeliveredDateTime types.String   `tfsdk:"last_delivered_date_time"`
	Preview               types.String   `tfsdk:"preview"`
	UniqueSenders         types.List     `tfsdk:"unique_senders"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

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
)

func (r *groupConversationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversation"
}

func (r *groupConversationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A conversation in a Microsoft 365 group: a topic and a first post, as posted to the group's mailbox. " +
			"Microsoft Graph cannot change a conversation once it exists, so changing any argument replaces it " +
			"(the old conversation and its replies are deleted). Creating conversations needs a delegated (user) token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The conversation id Graph assigned.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose mailbox holds the conversation.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{guidValidator()},
			},
			"topic": schema.StringAttribute{
				MarkdownDescription: "The conversation's subject.",
				Required:            true,
				PlanModifiers:       replace,
				Validators: []validator.String{
					stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty or only white space"),
				},
			},
			"body": schema.SingleNestedAttribute{
				MarkdownDescription: "The body of the first post.",
				Required:            true,
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.RequiresReplace()},
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
			},
			"new_participants": schema.ListNestedAttribute{
				MarkdownDescription: "People added to the conversation by the first post, besides the group's members.",
				Optional:            true,
				PlanModifiers:       []planmodifier.List{listplanmodifier.RequiresReplace()},
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
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
			},
			"thread_id": schema.StringAttribute{
				MarkdownDescription: "The id of the conversation's first thread, which holds the first post.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"has_attachments": schema.BoolAttribute{
				MarkdownDescription: "Whether any post of the conversation has an attachment.",
				Computed:            true,
			},
			"last_delivered_date_time": schema.StringAttribute{
				MarkdownDescription: "When the latest post was delivered (RFC 3339, UTC). Changes when someone replies.",
				Computed:            true,
			},
			"preview": schema.StringAttribute{
				MarkdownDescription: "A short plain-text summary of the latest post. Changes when someone replies.",
				Computed:            true,
			},
			"unique_senders": schema.ListAttribute{
				MarkdownDescription: "Display names of everyone who posted to the conversation.",
				Computed:            true,
				ElementType:         types.StringType,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Delete: true,
				CreateDescription: "How long a create may take, retries after throttling, the wait for the new conversation to " +
					"become readable, and the search for a create whose answer was lost included. Default `10m`.",
				ReadDescription:   "How long a refresh may take, retries included. Default `5m`.",
				DeleteDescription: "How long a delete may take, retries included. Default `5m`.",
			}),
		},
	}
}

func (r *groupConversationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *groupConversationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan groupConversationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(r.client, &resp.Diagnostics) {
		return
	}
	in, diags := plan.newConversation(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	createTimeout, diags := plan.Timeouts.Create(ctx, conversationCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, createTimeout)
	defer cancel()
	groupID := plan.GroupID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)

	tflog.Info(ctx, "Creating group conversation", map[string]any{"topic": in.Topic})
	created, err := r.client.CreateConversation(ctx, groupID, in)
	createdAt := time.Now()
	if err != nil {
		addGraphError(&resp.Diagnostics, "Create Group Conversation Failed",
			fmt.Sprintf("Microsoft Graph refused to create the conversation %q in group %s.", in.Topic, groupID),
			err, r.client.ExplainCreateFailure(ctx, groupID, err))
		return
	}

	// Record the conversation before anything else can fail: if the read
	// below fails, Terraform keeps it (tainted) instead of losing track of
	// an object that exists, which would duplicate it on the next apply.
	plan.ID = types.StringValue(created.ID)
	plan.ThreadID = stringOrNull(created.ThreadID)
	plan.clearComputed()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCreatedAt, createdAtJSON(createdAt))...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "Created group conversation", map[string]any{"conversation_id": created.ID, "thread_id": created.ThreadID})

	conversation, err := r.client.ReadNewConversation(ctx, groupID, created.ID, createdAt)
	if err != nil {
		addGraphError(&resp.Diagnostics, "Read Group Conversation After Create Failed",
			fmt.Sprintf("The conversation was created (id %s) and is recorded in the state, but it could not be read back. "+
				"Terraform marks it tainted: the next apply deletes and re-creates it, or run `terraform untaint` if it is fine.", created.ID),
			err, "")
		return
	}
	resp.Diagnostics.Append(plan.setComputed(ctx, conversation)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupConversationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupConversationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(r.client, &resp.Diagnostics) {
		return
	}
	readTimeout, diags := state.Timeouts.Read(ctx, conversationReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	groupID, conversationID := state.GroupID.ValueString(), state.ID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)
	ctx = tflog.SetField(ctx, "conversation_id", conversationID)

	conversation, err := r.client.ReadConversation(ctx, groupID, conversationID)
	if graph.IsNotFound(err) {
		conversation, err = r.waitIfJustCreated(ctx, req.Private, groupID, conversationID, err)
	}
	if graph.IsNotFound(err) {
		tflog.Warn(ctx, "Group conversation not found; removing it from the state so the next apply re-creates it")
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addGraphError(&resp.Diagnostics, "Read Group Conversation Failed",
			fmt.Sprintf("Could not read conversation %s of group %s.", conversationID, groupID), err, "")
		return
	}
	state.Topic = types.StringValue(conversation.Topic)
	resp.Diagnostics.Append(state.setComputed(ctx, conversation)...)

	// Posts cannot be edited in Graph, so the first post is read only when
	// the state does not hold it yet, that is after an import: a refresh
	// costs one request.
	if state.Body.IsNull() || state.ThreadID.IsNull() {
		threadID, post, err := r.client.FirstPost(ctx, groupID, conversationID)
		if err != nil {
			addGraphError(&resp.Diagnostics, "Read Group Conversation Failed",
				fmt.Sprintf("Could not read the first post of conversation %s of group %s.", conversationID, groupID), err, "")
			return
		}
		state.ThreadID = types.StringValue(threadID)
		resp.Diagnostics.Append(state.setFirstPost(post)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update is never called: every argument requires replacement, because
// Graph has no way to change a conversation.
func (r *groupConversationResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("Group Conversations Cannot Be Updated",
		"Microsoft Graph cannot change a conversation in place, so every argument forces a replacement. "+
			"Reaching Update is a bug: please report this to the provider developers.")
}

func (r *groupConversationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupConversationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(r.client, &resp.Diagnostics) {
		return
	}
	deleteTimeout, diags := state.Timeouts.Delete(ctx, conversationDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, deleteTimeout)
	defer cancel()
	groupID, conversationID := state.GroupID.ValueString(), state.ID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)
	ctx = tflog.SetField(ctx, "conversation_id", conversationID)

	tflog.Info(ctx, "Deleting group conversation")
	err := r.client.DeleteConversation(ctx, groupID, conversationID)
	if graph.IsNotFound(err) {
		tflog.Info(ctx, "Group conversation was already deleted")
		return
	}
	if err != nil {
		addGraphError(&resp.Diagnostics, "Delete Group Conversation Failed",
			fmt.Sprintf("Could not delete conversation %s of group %s.", conversationID, groupID), err, "")
		return
	}
	tflog.Info(ctx, "Deleted group conversation")
}

func (r *groupConversationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	groupID, conversationID, err := parseConversationImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), groupID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), conversationID)...)
}

// waitIfJustCreated decides what a 404 on refresh means. For a conversation
// this provider created less than the visibility grace ago, Exchange may
// simply not show it yet (a lagging replica), so the read is retried until
// the grace has passed; dropping it from the state would make the next
// apply create a duplicate. For anything older, 404 means deleted.
func (r *groupConversationResource) waitIfJustCreated(ctx context.Context, private privateGetter, groupID, conversationID string, notFound error) (graph.Conversation, error) {
	raw, diags := private.GetKey(ctx, privateCreatedAt)
	if diags.HasError() || len(raw) == 0 {
		return graph.Conversation{}, notFound
	}
	var createdAt time.Time
	if err := json.Unmarshal(raw, &createdAt); err != nil {
		return graph.Conversation{}, notFound
	}
	settled := createdAt.Add(r.client.VisibilityGrace())
	if time.Now().After(settled) {
		return graph.Conversation{}, notFound
	}
	tflog.Info(ctx, "Group conversation created moments ago is not readable yet; waiting for it", map[string]any{
		"created_at": createdAt.Format(time.RFC3339), "wait_until": settled.Format(time.RFC3339),
	})
	waitCtx, cancel := context.WithDeadline(ctx, settled)
	defer cancel()
	conversation, err := r.client.WaitForConversation(waitCtx, groupID, conversationID)
	if err != nil && ctx.Err() == nil && waitCtx.Err() != nil {
		// The grace ran out, not the read timeout: it is gone.
		return graph.Conversation{}, notFound
	}
	return conversation, err
}

// privateGetter is the read side of a resource's private state.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func createdAtJSON(t time.Time) []byte {
	b, _ := json.Marshal(t.UTC())
	return b
}

// parseConversationImportID splits "{group_id}/{conversation_id}". Graph's
// conversation ids are base64 and never contain "/", so the first "/" is the
// separator.
func parseConversationImportID(id string) (groupID, conversationID string, err error) {
	groupID, conversationID, found := strings.Cut(id, "/")
	switch {
	case !found:
		return "", "", fmt.Errorf("the import ID %q must have the form {group_id}/{conversation_id}", id)
	case !guidPattern.MatchString(groupID):
		return "", "", fmt.Errorf("the import ID %q must have the form {group_id}/{conversation_id}: %q is not a group object id (a GUID)", id, groupID)
	case graphIDProblem(conversationID) != "":
		return "", "", fmt.Errorf("the import ID %q must have the form {group_id}/{conversation_id}: %q is not a conversation id (%s)",
			id, conversationID, graphIDProblem(conversationID))
	}
	return groupID, conversationID, nil
}

// newConversation converts the plan into the create call's input.
func (m groupConversationResourceModel) newConversation(ctx context.Context) (graph.NewConversation, diag.Diagnostics) {
	var diags diag.Diagnostics
	var body itemBodyModel
	diags.Append(m.Body.As(ctx, &body, basetypes.ObjectAsOptions{})...)
	var participants []recipientModel
	if !m.NewParticipants.IsNull() {
		diags.Append(m.NewParticipants.ElementsAs(ctx, &participants, false)...)
	}
	in := graph.NewConversation{
		Topic: m.Topic.ValueString(),
		Body:  graph.ItemBody{ContentType: body.ContentType.ValueString(), Content: body.Content.ValueString()},
	}
	for _, p := range participants {
		in.NewParticipants = append(in.NewParticipants, graph.Recipient{Address: p.Address.ValueString(), Name: p.Name.ValueString()})
	}
	return in, diags
}

// clearComputed makes the computed attributes null until Graph has told us
// their values, so a state saved early holds nothing unknown.
func (m *groupConversationResourceModel) clearComputed() {
	m.HasAttachments = types.BoolNull()
	m.LastDeliveredDateTime = types.StringNull()
	m.Preview = types.StringNull()
	m.UniqueSenders = types.ListNull(types.StringType)
}

func (m *groupConversationResourceModel) setComputed(ctx context.Context, c graph.Conversation) diag.Diagnostics {
	m.HasAttachments = types.BoolValue(c.HasAttachments)
	m.LastDeliveredDateTime = timeValue(c.LastDeliveredDateTime)
	m.Preview = types.StringValue(c.Preview)
	senders, diags := stringListValue(ctx, c.UniqueSenders)
	m.UniqueSenders = senders
	return diags
}

// setFirstPost fills the arguments from the conversation's first post, as a
// user would have written them (see importedBody).
func (m *groupConversationResourceModel) setFirstPost(post graph.Post) diag.Diagnostics {
	var diags diag.Diagnostics
	body, d := importedBody(post.Body)
	diags.Append(d...)
	m.Body = body
	participants, d := recipientListValue(post.NewParticipants)
	diags.Append(d...)
	m.NewParticipants = participants
	return diags
}

func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
