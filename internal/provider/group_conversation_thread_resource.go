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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

var (
	_ resource.Resource                = &groupConversationThreadResource{}
	_ resource.ResourceWithConfigure   = &groupConversationThreadResource{}
	_ resource.ResourceWithImportState = &groupConversationThreadResource{}
	_ resource.ResourceWithModifyPlan  = &groupConversationThreadResource{}
)

// threadTimeouts are the default deadlines, changed per resource with a
// timeouts block.
var threadTimeouts = operationTimeouts{
	create: 10 * time.Minute,
	read:   5 * time.Minute,
	update: 5 * time.Minute,
	delete: 5 * time.Minute,
}

// NewGroupConversationThreadResource returns the
// msgraph_group_conversation_thread resource.
func NewGroupConversationThreadResource() resource.Resource {
	return &groupConversationThreadResource{lifecycle: lifecycle{noun: "Group Conversation Thread", timeouts: threadTimeouts}}
}

type groupConversationThreadResource struct {
	lifecycle
}

type groupConversationThreadResourceModel struct {
	ID             types.String `tfsdk:"id"`
	GroupID        types.String `tfsdk:"group_id"`
	ConversationID types.String `tfsdk:"conversation_id"`
	Topic          types.String `tfsdk:"topic"`
	Body           types.Object `tfsdk:"body"`
	ToRecipients   types.List   `tfsdk:"to_recipients"`
	CcRecipients   types.List   `tfsdk:"cc_recipients"`
	IsLocked       types.Bool   `tfsdk:"is_locked"`
	summaryModel
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (m *groupConversationThreadResourceModel) timeoutsValue() timeouts.Value { return m.Timeouts }

func (m *groupConversationThreadResourceModel) logFields() map[string]any {
	fields := map[string]any{"group_id": m.GroupID.ValueString(), "conversation_id": m.ConversationID.ValueString()}
	if id := m.ID.ValueString(); id != "" {
		fields["thread_id"] = id
	}
	return fields
}

func (r *groupConversationThreadResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversation_thread"
}

func (r *groupConversationThreadResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	recipientsNote := " Graph adds the people later replies bring in to the thread's recipients; that is not a change, " +
		"and only an import reads the recipients back."
	attributes := map[string]schema.Attribute{
		"id":       idAttribute("The thread id Graph assigned."),
		"group_id": groupIDAttribute(),
		"conversation_id": schema.StringAttribute{
			MarkdownDescription: "The id of the conversation the thread is added to, for example `msgraph_group_conversation.<name>.id`.",
			Required:            true,
			PlanModifiers:       replace,
			Validators:          []validator.String{graphIDValidator("conversation")},
		},
		"topic": topicAttribute("The thread's subject. Graph gives every thread of a conversation the conversation's topic, "+
			"so this must be the conversation's topic (for example `msgraph_group_conversation.<name>.topic`); "+
			"the provider checks that before it creates the thread.", true),
		"body":          bodyAttribute("The body of the thread's first post."),
		"to_recipients": recipientListAttribute("The thread's To recipients, besides the group's members." + recipientsNote),
		"cc_recipients": recipientListAttribute("The thread's Cc recipients." + recipientsNote),
		"is_locked": schema.BoolAttribute{
			MarkdownDescription: "Whether the thread is locked: a locked thread takes no new posts. Defaults to `false`. " +
				"Changing it updates the thread in place.",
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
		},
	}
	maps.Copy(attributes, summaryAttributes("the thread"))
	resp.Schema = schema.Schema{
		MarkdownDescription: "A thread in an existing conversation of a Microsoft 365 group: a follow-up with its own first post " +
			"and recipients. Locking and unlocking the thread (`is_locked`) is the one change Microsoft Graph makes in place; " +
			"changing any other argument except `timeouts` replaces the thread (the old thread and its replies are deleted). " +
			"Creating threads needs a delegated (user) token.",
		Attributes: attributes,
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
				CreateDescription: "How long a create may take: the check of the conversation's topic, retries after throttling, " +
					"the search for a create whose answer was lost, the wait for the new thread to become readable and locking it " +
					"included. Default `10m`.",
				ReadDescription:   "How long a refresh may take, retries included. Default `5m`.",
				UpdateDescription: "How long locking or unlocking may take, retries included. Default `5m`.",
				DeleteDescription: "How long a delete may take, retries included. Default `5m`.",
			}),
		},
	}
}

func (r *groupConversationThreadResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *groupConversationThreadResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan groupConversationThreadResourceModel
	ctx, cancel, ok := r.begin(ctx, req.Plan, &plan, opCreate, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	in, diags := plan.newThread(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	groupID, conversationID := plan.GroupID.ValueString(), plan.ConversationID.ValueString()

	// Graph files every thread under its conversation's topic whatever the
	// request says, so a different topic would come back as a permanent
	// diff. Checking first costs one read and creates nothing to clean up.
	if !r.checkTopic(ctx, groupID, conversationID, in.Topic, &resp.Diagnostics) {
		return
	}

	tflog.Info(ctx, "Creating group conversation thread")
	threadID, diagnosis, err := createInGroup(ctx, r.client, groupID, func(ctx context.Context) (string, error) {
		return r.client.CreateThread(ctx, groupID, conversationID, in)
	})
	createdAt := time.Now()
	if err != nil {
		r.createFailed(&resp.Diagnostics, fmt.Sprintf("a thread in conversation %s of group %s", conversationID, groupID),
			err, explainCreateFailure(ctx, r.client, groupID, createsThread, err, diagnosis))
		return
	}
	// Until Graph says otherwise, a new thread is unlocked.
	locked := plan.IsLocked.ValueBool()
	plan.ID = types.StringValue(threadID)
	plan.IsLocked = types.BoolValue(false)
	plan.clear()
	resp.Diagnostics.Append(recordCreated(ctx, &resp.State, resp.Private, &plan, createdAt)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "thread_id", threadID)
	tflog.Info(ctx, "Created group conversation thread")

	thread, err := r.client.WaitForThread(ctx, groupID, conversationID, threadID)
	if err != nil {
		r.readBackFailed(&resp.Diagnostics, threadID, err)
		return
	}
	if locked {
		thread, err = r.setLocked(ctx, groupID, conversationID, threadID, true)
		if err != nil {
			addGraphError(&resp.Diagnostics, "Lock Group Conversation Thread Failed",
				fmt.Sprintf("The thread was created (id %s) and is recorded in the state, unlocked, but it could not be locked. "+
					"Terraform marks it tainted: the next apply deletes and re-creates it.", threadID),
				err, "")
			return
		}
	}
	resp.Diagnostics.Append(plan.setFromGraph(ctx, thread)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	if locked && !thread.IsLocked {
		resp.Diagnostics.AddAttributeError(path.Root("is_locked"), "Lock Group Conversation Thread Failed",
			fmt.Sprintf("Microsoft Graph accepted is_locked = true for the new thread %s but still reports it unlocked. "+
				"Terraform marks it tainted: the next apply deletes and re-creates it.", threadID))
	}
}

func (r *groupConversationThreadResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state groupConversationThreadResourceModel
	ctx, cancel, ok := r.begin(ctx, req.State, &state, opRead, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	groupID, conversationID, threadID := state.GroupID.ValueString(), state.ConversationID.ValueString(), state.ID.ValueString()

	thread, gone, err := readWithGrace(ctx, &r.lifecycle, req.Private, &resp.Diagnostics,
		func(ctx context.Context) (graph.Thread, error) {
			return r.client.GetThread(ctx, groupID, conversationID, threadID)
		},
		func(ctx context.Context) (graph.Thread, error) {
			return r.client.WaitForThread(ctx, groupID, conversationID, threadID)
		})
	if gone {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addGraphError(&resp.Diagnostics, "Read Group Conversation Thread Failed",
			fmt.Sprintf("Could not read thread %s of conversation %s in group %s.", threadID, conversationID, groupID),
			err, explainReadFailure(ctx, r.client, groupID, err))
		return
	}
	resp.Diagnostics.Append(state.setFromGraph(ctx, thread)...)

	// Posts cannot be edited in Graph, and the thread's recipients only grow
	// as replies bring people in, so the arguments are read only when the
	// state does not hold them yet, that is after an import.
	if state.Body.IsNull() {
		post, err := r.client.FirstThreadPost(ctx, groupID, conversationID, threadID)
		if err != nil {
			addGraphError(&resp.Diagnostics, "Read Group Conversation Thread Failed",
				fmt.Sprintf("Could not read the first post of thread %s in group %s.", threadID, groupID), err, "")
			return
		}
		warnFullThread(&resp.Diagnostics, threadID, post)
		resp.Diagnostics.Append(state.setImported(post.Post, thread)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update locks or unlocks the thread, the one change Graph makes in place.
// Every other argument requires replacement, so anything else that reaches
// Update (the timeouts block, recipients written as null in an older state)
// is copied from the plan to the state without a request to Graph.
func (r *groupConversationThreadResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state groupConversationThreadResourceModel
	ctx, cancel, ok := r.begin(ctx, req.Plan, &plan, opUpdate, &resp.Diagnostics)
	defer cancel()
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !ok || resp.Diagnostics.HasError() {
		return
	}
	if !plan.IsLocked.Equal(state.IsLocked) {
		groupID, conversationID, threadID := state.GroupID.ValueString(), state.ConversationID.ValueString(), state.ID.ValueString()
		locked := plan.IsLocked.ValueBool()
		thread, err := r.setLocked(ctx, groupID, conversationID, threadID, locked)
		if err != nil {
			addGraphError(&resp.Diagnostics, "Update Group Conversation Thread Failed",
				fmt.Sprintf("Could not set is_locked = %t on thread %s of conversation %s in group %s.", locked, threadID, conversationID, groupID),
				err, "")
			return
		}
		if thread.IsLocked != locked {
			resp.Diagnostics.AddAttributeError(path.Root("is_locked"), "Update Group Conversation Thread Failed",
				fmt.Sprintf("Microsoft Graph accepted is_locked = %t for thread %s but still reports is_locked = %t. Try the apply again.",
					locked, threadID, thread.IsLocked))
			return
		}
	}
	// The summary stays as planned: locking does not change it, and a reply
	// that arrived since the refresh shows on the next one.
	plan.summaryModel.keepUnknownFrom(state.summaryModel)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *groupConversationThreadResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state groupConversationThreadResourceModel
	ctx, cancel, ok := r.begin(ctx, req.State, &state, opDelete, &resp.Diagnostics)
	defer cancel()
	if !ok {
		return
	}
	groupID, conversationID, threadID := state.GroupID.ValueString(), state.ConversationID.ValueString(), state.ID.ValueString()

	tflog.Info(ctx, "Deleting group conversation thread")
	err := r.client.DeleteThread(ctx, groupID, conversationID, threadID)
	r.deleted(ctx, &resp.Diagnostics, fmt.Sprintf("thread %s of conversation %s in group %s", threadID, conversationID, groupID), err)
}

func (r *groupConversationThreadResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	groupID, conversationID, threadID, err := parseThreadImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), groupID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("conversation_id"), conversationID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), threadID)...)
}

// ModifyPlan refuses, at plan time, a new topic for a thread that stays in
// its conversation. The replacement it would plan cannot succeed (a
// conversation's threads share its topic, which cannot change), and it would
// delete the thread before finding that out.
func (r *groupConversationThreadResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state groupConversationThreadResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Topic.IsUnknown() || plan.Topic.Equal(state.Topic) ||
		!plan.GroupID.Equal(state.GroupID) || !plan.ConversationID.Equal(state.ConversationID) {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("topic"), "Thread Topic Must Match Its Conversation",
		fmt.Sprintf("Every thread of a conversation has the conversation's topic, and a conversation's topic cannot change, "+
			"so a thread of conversation %s cannot have the topic %q. Keep topic = %q, or move the thread to a conversation "+
			"with the topic %q by changing conversation_id.",
			state.ConversationID.ValueString(), plan.Topic.ValueString(), state.Topic.ValueString(), plan.Topic.ValueString()))
}

// checkTopic reads the conversation and reports whether its topic is the
// one configured for the thread.
func (r *groupConversationThreadResource) checkTopic(ctx context.Context, groupID, conversationID, topic string, diags *diag.Diagnostics) bool {
	conversation, err := r.client.GetConversation(ctx, groupID, conversationID)
	if err != nil {
		advice := explainReadFailure(ctx, r.client, groupID, err)
		if advice == "" && graph.IsNotFound(err) {
			advice = fmt.Sprintf("The conversation %s does not exist in group %s (or the signed-in identity cannot see it). Check conversation_id.",
				conversationID, groupID)
		}
		addGraphError(diags, "Create Group Conversation Thread Failed",
			fmt.Sprintf("Could not read conversation %s of group %s, which the thread would be added to.", conversationID, groupID),
			err, advice)
		return false
	}
	if !graph.SameTopic(topic, conversation.Topic) {
		diags.AddAttributeError(path.Root("topic"), "Thread Topic Must Match Its Conversation",
			fmt.Sprintf("Every thread of a conversation has the conversation's topic: conversation %s has the topic %q, not %q. "+
				"Set topic = %q (for example from msgraph_group_conversation.<name>.topic). No thread was created.",
				conversationID, conversation.Topic, topic, conversation.Topic))
		return false
	}
	return true
}

// setLocked locks or unlocks the thread and reads it back: Graph's answer to
// the change carries nothing to rely on.
func (r *groupConversationThreadResource) setLocked(ctx context.Context, groupID, conversationID, threadID string, locked bool) (graph.Thread, error) {
	tflog.Info(ctx, "Setting is_locked on group conversation thread", map[string]any{"is_locked": locked})
	if err := r.client.SetThreadLocked(ctx, groupID, conversationID, threadID, locked); err != nil {
		return graph.Thread{}, err
	}
	return r.client.GetThread(ctx, groupID, conversationID, threadID)
}

// parseThreadImportID splits "{group_id}/{conversation_id}/{thread_id}".
// Graph's conversation and thread ids are base64 and never contain "/".
func parseThreadImportID(id string) (groupID, conversationID, threadID string, err error) {
	const form = "{group_id}/{conversation_id}/{thread_id}"
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("the import ID %q must have the form %s", id, form)
	}
	groupID, conversationID, threadID = parts[0], parts[1], parts[2]
	switch {
	case !guidPattern.MatchString(groupID):
		return "", "", "", fmt.Errorf("the import ID %q must have the form %s: %q is not a group object id (a GUID)", id, form, groupID)
	case graphIDProblem(conversationID) != "":
		return "", "", "", fmt.Errorf("the import ID %q must have the form %s: %q is not a conversation id (%s)",
			id, form, conversationID, graphIDProblem(conversationID))
	case graphIDProblem(threadID) != "":
		return "", "", "", fmt.Errorf("the import ID %q must have the form %s: %q is not a thread id (%s)",
			id, form, threadID, graphIDProblem(threadID))
	}
	return groupID, conversationID, threadID, nil
}

// newThread converts the plan into the create call's input.
func (m groupConversationThreadResourceModel) newThread(ctx context.Context) (graph.NewThread, diag.Diagnostics) {
	var diags diag.Diagnostics
	var body itemBodyModel
	diags.Append(m.Body.As(ctx, &body, basetypes.ObjectAsOptions{})...)
	to, d := recipientsFromList(ctx, m.ToRecipients)
	diags.Append(d...)
	cc, d := recipientsFromList(ctx, m.CcRecipients)
	diags.Append(d...)
	return graph.NewThread{
		Topic:        m.Topic.ValueString(),
		Body:         graph.ItemBody{ContentType: body.ContentType.ValueString(), Content: body.Content.ValueString()},
		ToRecipients: to,
		CcRecipients: cc,
	}, diags
}

// setFromGraph takes what Graph says about the thread: its topic (unless
// it is the configured one in Exchange's normalised form), its lock and the
// computed attributes.
func (m *groupConversationThreadResourceModel) setFromGraph(ctx context.Context, t graph.Thread) diag.Diagnostics {
	m.Topic = keptTopic(m.Topic, t.Topic)
	m.IsLocked = types.BoolValue(t.IsLocked)
	return m.summaryModel.set(ctx, t.HasAttachments, t.LastDeliveredDateTime, t.Preview, t.UniqueSenders)
}

// setImported fills the arguments an import cannot know: the first post's
// body, as the user would have written it, and the thread's recipients.
func (m *groupConversationThreadResourceModel) setImported(first graph.Post, t graph.Thread) diag.Diagnostics {
	var diags diag.Diagnostics
	body, d := importedBody(first.Body)
	diags.Append(d...)
	m.Body = body
	to, d := recipientsValue(t.ToRecipients)
	diags.Append(d...)
	m.ToRecipients = to
	cc, d := recipientsValue(t.CcRecipients)
	diags.Append(d...)
	m.CcRecipients = cc
	return diags
}
