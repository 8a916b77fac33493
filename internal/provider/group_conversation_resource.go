package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

var (
	_ resource.Resource                = &groupConversationResource{}
	_ resource.ResourceWithConfigure   = &groupConversationResource{}
	_ resource.ResourceWithImportState = &groupConversationResource{}
)

// conversationTimeouts are the default deadlines, changed per resource with
// a timeouts block.
var conversationTimeouts = operationTimeouts{
	create: 10 * time.Minute,
	read:   5 * time.Minute,
	// An update sends nothing to Graph (see Update), so the block has no
	// update deadline to set.
	update: time.Minute,
	delete: 5 * time.Minute,
}

// NewGroupConversationResource returns the msgraph_group_conversation resource.
func NewGroupConversationResource() resource.Resource {
	return &groupConversationResource{lifecycle: lifecycle{noun: "Group Conversation", timeouts: conversationTimeouts}}
}

type groupConversationResource struct {
	lifecycle
}

type groupConversationResourceModel struct {
	ID              types.String `tfsdk:"id"`
	GroupID         types.String `tfsdk:"group_id"`
	Topic           types.String `tfsdk:"topic"`
	Body            types.Object `tfsdk:"body"`
	NewParticipants types.List   `tfsdk:"new_participants"`
	ThreadID        types.String `tfsdk:"thread_id"`
	summaryModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (m *groupConversationResourceModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (m *groupConversationResourceModel) logFields() map[string]any {
	fields := map[string]any{"group_id": m.GroupID.ValueString()}
	if id := m.ID.ValueString(); id != "" {
		fields["conversation_id"] = id
	}
	return fields
}

func (r *groupConversationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversation"
}

func (r *groupConversationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"id":               idAttribute("The conversation id Graph assigned."),
		"group_id":         groupIDAttribute(),
		"topic":            topicAttribute("The conversation's subject.", false),
		"body":             bodyAttribute("The body of the first post."),
		"new_participants": recipientListAttribute("People added to the conversation by the first post, besides the group's members."),
		"thread_id":        idAttribute("The id of the conversation's first thread, which holds the first post."),
	}
	maps.Copy(attributes, summaryAttributes("the conversation"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "A conversation in a Microsoft 365 group: a topic and a first post, as posted to the group's mailbox. " +
			"Microsoft Graph cannot change a conversation once it exists, so changing any argument except `timeouts` replaces it " +
			"(the old conversation and its replies are deleted). Creating conversations needs a delegated (user) token.",
		Attributes: attributes,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Delete: true,
				CreateDescription: "How long a create may take, retries after throttling, the wait for a new group's mailbox " +
					"(Microsoft 365 creates it some time after the group; give a conversation in a group created in the same " +
					"apply more, such as `60m`), the wait for the new conversation to become readable, and the search for a " +
					"create whose answer was lost included. Default `10m`.",
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
	ctx, cancel, ok := r.begin(ctx, req.Plan, &plan, opCreate, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	in, diags := plan.newConversation(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	groupID := plan.GroupID.ValueString()

	tflog.Info(ctx, "Creating group conversation", map[string]any{"topic": in.Topic})
	created, diagnosis, err := createInGroup(ctx, r.client, groupID, func(ctx context.Context) (graph.CreatedConversation, error) {
		return r.client.CreateConversation(ctx, groupID, in)
	})
	createdAt := time.Now()
	if err != nil {
		r.createFailed(&resp.Diagnostics, fmt.Sprintf("the conversation %q in group %s", in.Topic, groupID),
			err, explainCreateFailure(ctx, r.client, groupID, createsConversation, err, diagnosis))
		return
	}
	plan.ID = types.StringValue(created.ID)
	plan.ThreadID = stringOrNull(created.ThreadID)
	plan.clear()
	resp.Diagnostics.Append(recordCreated(ctx, &resp.State, resp.Private, &plan, createdAt)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "Created group conversation", map[string]any{"conversation_id": created.ID, "thread_id": created.ThreadID})

	conversation, err := r.client.ReadNewConversation(ctx, groupID, created.ID, createdAt)
	if err != nil {
		r.readBackFailed(&resp.Diagnostics, created.ID, err)
		return
	}
	// What the reads after creates learnt about listing the group spares
	// the first refresh the same questions.
	resp.Diagnostics.Append(saveListingHint(ctx, resp.Private, r.client.ListingHint(groupID))...)
	resp.Diagnostics.Append(plan.setComputed(ctx, conversation)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupConversationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupConversationResourceModel
	ctx, cancel, ok := r.begin(ctx, req.State, &state, opRead, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	groupID, conversationID := state.GroupID.ValueString(), state.ID.ValueString()
	// A conversation's last delivery only grows, so the one the state holds
	// tells a shared listing how far back it must reach to list it.
	deliveredSince := timeOf(state.LastDeliveredDateTime)
	// What earlier runs learnt about listing the group shapes that listing.
	hint := listingHintOf(ctx, req.Private)

	conversation, gone, err := readWithGrace(ctx, &r.lifecycle, req.Private, &resp.Diagnostics,
		func(ctx context.Context) (graph.Conversation, error) {
			return r.client.ReadConversation(ctx, groupID, conversationID, deliveredSince, hint)
		},
		func(ctx context.Context) (graph.Conversation, error) {
			return r.client.WaitForConversation(ctx, groupID, conversationID)
		})
	if gone {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addGraphError(&resp.Diagnostics, "Read Group Conversation Failed",
			fmt.Sprintf("Could not read conversation %s of group %s.", conversationID, groupID), err, "")
		return
	}
	state.Topic = keptTopic(state.Topic, conversation.Topic)
	resp.Diagnostics.Append(state.setComputed(ctx, conversation)...)
	resp.Diagnostics.Append(saveListingHint(ctx, resp.Private, r.client.ListingHint(groupID))...)

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
		warnFullThread(&resp.Diagnostics, threadID, post)
		if state.Body.IsNull() {
			resp.Diagnostics.Append(state.setFirstPost(post.Post)...)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update is reached only for what Graph does not hold: the timeouts block,
// or recipients written as null in an older state and as [] now. Graph
// cannot change a conversation, and every other argument replaces it, so
// the plan is copied to the state and nothing is sent.
func (r *groupConversationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state groupConversationResourceModel
	ctx, cancel, ok := r.begin(ctx, req.Plan, &plan, opUpdate, &resp.Diagnostics)
	defer cancel()
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	plan.summaryModel.keepUnknownFrom(state.summaryModel)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupConversationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupConversationResourceModel
	ctx, cancel, ok := r.begin(ctx, req.State, &state, opDelete, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	groupID, conversationID := state.GroupID.ValueString(), state.ID.ValueString()

	tflog.Info(ctx, "Deleting group conversation")
	err := r.client.DeleteConversation(ctx, groupID, conversationID)
	r.deleted(ctx, &resp.Diagnostics, fmt.Sprintf("conversation %s of group %s", conversationID, groupID), err)
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
	participants, d := recipientsFromList(ctx, m.NewParticipants)
	diags.Append(d...)
	return graph.NewConversation{
		Topic:           m.Topic.ValueString(),
		Body:            graph.ItemBody{ContentType: body.ContentType.ValueString(), Content: body.Content.ValueString()},
		NewParticipants: participants,
	}, diags
}

func (m *groupConversationResourceModel) setComputed(ctx context.Context, c graph.Conversation) diag.Diagnostics {
	return m.summaryModel.set(ctx, c.HasAttachments, c.LastDeliveredDateTime, c.Preview, c.UniqueSenders)
}

// setFirstPost fills the arguments from the conversation's first post, as a
// user would have written them (see importedBody).
func (m *groupConversationResourceModel) setFirstPost(post graph.Post) diag.Diagnostics {
	var diags diag.Diagnostics
	body, d := importedBody(post.Body)
	diags.Append(d...)
	m.Body = body
	participants, d := recipientsValue(post.NewParticipants)
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
