package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/htmlbody"
)

var (
	_ datasource.DataSource              = &groupConversationsDataSource{}
	_ datasource.DataSourceWithConfigure = &groupConversationsDataSource{}
)

// NewGroupConversationsDataSource returns the msgraph_group_conversations
// data source.
func NewGroupConversationsDataSource() datasource.DataSource {
	return &groupConversationsDataSource{}
}

type groupConversationsDataSource struct {
	client *graph.Client
}

type groupConversationsDataSourceModel struct {
	GroupID        types.String `tfsdk:"group_id"`
	Topic          types.String `tfsdk:"topic"`
	IncludeThreads types.Bool   `tfsdk:"include_threads"`
	Conversations  types.List   `tfsdk:"conversations"`
}

// conversationAttributes are the computed properties of a conversation,
// shared by the data sources that return conversations.
var conversationAttributes = map[string]schema.Attribute{
	"topic": schema.StringAttribute{
		MarkdownDescription: "The conversation's subject.",
		Computed:            true,
	},
	"has_attachments": schema.BoolAttribute{
		MarkdownDescription: "Whether any post of the conversation has an attachment.",
		Computed:            true,
	},
	"last_delivered_date_time": schema.StringAttribute{
		MarkdownDescription: "When the latest post was delivered (RFC 3339, UTC).",
		Computed:            true,
	},
	"preview": schema.StringAttribute{
		MarkdownDescription: "A short plain-text summary of the latest post.",
		Computed:            true,
	},
	"unique_senders": schema.ListAttribute{
		MarkdownDescription: "Display names of everyone who posted to the conversation.",
		Computed:            true,
		ElementType:         types.StringType,
	},
}

var (
	recipientListType         = types.ListType{ElemType: types.ObjectType{AttrTypes: recipientAttrTypes}}
	additionalThreadAttrTypes = map[string]attr.Type{
		"id":            types.StringType,
		"topic":         types.StringType,
		"is_locked":     types.BoolType,
		"body":          types.ObjectType{AttrTypes: itemBodyAttrTypes},
		"to_recipients": recipientListType,
		"cc_recipients": recipientListType,
	}
	conversationAttrTypes = map[string]attr.Type{
		"id":                       types.StringType,
		"topic":                    types.StringType,
		"has_attachments":          types.BoolType,
		"last_delivered_date_time": types.StringType,
		"preview":                  types.StringType,
		"unique_senders":           types.ListType{ElemType: types.StringType},
		"thread_id":                types.StringType,
		"body":                     types.ObjectType{AttrTypes: itemBodyAttrTypes},
		"new_participants":         recipientListType,
		"additional_threads":       types.ListType{ElemType: types.ObjectType{AttrTypes: additionalThreadAttrTypes}},
	}
)

func (d *groupConversationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversations"
}

func (d *groupConversationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	element := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The conversation id.",
			Computed:            true,
		},
	}
	for name, attribute := range conversationAttributes {
		element[name] = attribute
	}
	for name, attribute := range includedThreadAttributes() {
		element[name] = attribute
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every conversation of a Microsoft 365 group, across all of Graph's pages, optionally only those " +
			"with a given topic. A listing that a reply arriving meanwhile shifted (Graph may page a list ordered by last delivery " +
			"by position) is taken again, up to three times. With `include_threads` it also reads what importing each conversation and its threads reads, " +
			"so that a configuration can adopt them all with `for_each` import blocks (see the guide \"Adopting existing conversations\").",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose conversations are listed.",
				Required:            true,
				Validators:          []validator.String{guidValidator()},
			},
			"topic": schema.StringAttribute{
				MarkdownDescription: "Only list conversations whose topic is this (case-sensitive), as Graph holds it or without " +
					"a short prefix such as `FYI: ` that Exchange may take off a topic. Graph cannot filter on topic, so every " +
					"conversation is read and the filter is applied by the provider.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"include_threads": schema.BoolAttribute{
				MarkdownDescription: "Also read every thread of every listed conversation and the post that started each, and fill in " +
					"`thread_id`, `body`, `new_participants` and `additional_threads`: exactly the arguments that importing " +
					"`msgraph_group_conversation` and `msgraph_group_conversation_thread` reads, written the way a configuration " +
					"writes them. This costs one request per conversation and one per thread, on every plan (a few conversations " +
					"are read at a time). Without it those attributes are null.",
				Optional: true,
			},
			"conversations": schema.ListNestedAttribute{
				MarkdownDescription: "The conversations, in the order Graph returns them (Graph promises none).",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: element},
			},
		},
	}
}

func (d *groupConversationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupConversationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config groupConversationsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(d.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	groupID := config.GroupID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)

	listing, err := d.client.ListConversationsSettled(ctx, groupID)
	if err != nil {
		addGraphError(&resp.Diagnostics, "List Group Conversations Failed",
			fmt.Sprintf("Could not list the conversations of group %s.", groupID), err, explainReadFailure(ctx, d.client, groupID, err))
		return
	}
	if listing.Unsettled {
		resp.Diagnostics.AddWarning("Group Conversations Changed While Listed",
			fmt.Sprintf("The conversations of group %s kept changing while they were listed: each of %d listings saw the list shift "+
				"(a reply moves a conversation to the front of a list Graph pages by position), so a conversation may have been "+
				"missed by one of them. conversations holds every conversation any of the listings saw, which can include one "+
				"deleted meanwhile. Read the data source again when the group is quieter.", groupID, listing.Listings))
	}
	conversations := listing.Conversations
	listed := len(conversations)
	if !config.Topic.IsNull() {
		conversations = withTopic(conversations, config.Topic.ValueString())
	}
	tflog.Debug(ctx, "Listed group conversations", map[string]any{"listed": listed, "kept": len(conversations)})

	var threads map[string]graph.ConversationThreads
	if config.IncludeThreads.ValueBool() {
		ids := make([]string, 0, len(conversations))
		for _, c := range conversations {
			ids = append(ids, c.ID)
		}
		threads, err = d.client.ListThreadsOfConversations(ctx, groupID, ids)
		if err != nil {
			addGraphError(&resp.Diagnostics, "List Group Conversations Failed",
				fmt.Sprintf("Could not read the threads of the conversations of group %s (include_threads = true).", groupID), err, "")
			return
		}
		// A conversation deleted since it was listed is not listed either.
		conversations = slices.DeleteFunc(conversations, func(c graph.Conversation) bool {
			_, read := threads[c.ID]
			return !read
		})
		tflog.Debug(ctx, "Read the threads of group conversations", map[string]any{"conversations": len(conversations)})
		warnFullThreads(&resp.Diagnostics, threads)
	}

	list, diags := conversationListValue(ctx, conversations, threads)
	resp.Diagnostics.Append(diags...)
	config.Conversations = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// warnFullThreads says which threads read for include_threads Graph listed
// a full 100 posts of, so that their first posts were looked for along
// inReplyTo.
func warnFullThreads(diags *diag.Diagnostics, threads map[string]graph.ConversationThreads) {
	var full []string
	for _, ct := range threads {
		for _, t := range ct.Threads {
			if t.FirstPost.ListFull {
				full = append(full, t.ID)
			}
		}
	}
	if len(full) == 0 {
		return
	}
	slices.Sort(full)
	diags.AddWarning("Threads Hold 100 Posts or More",
		fmt.Sprintf("Microsoft Graph lists at most %d posts of a thread, and listed %d of each of these threads: %s. Their first "+
			"posts may not have been among them, so the provider followed inReplyTo from the earliest post listed to the post "+
			"that replies to none, and took its body as the one a configuration writes.",
			graph.MaxListedPosts, graph.MaxListedPosts, strings.Join(full, ", ")))
}

// withTopic keeps the conversations whose topic is topic, as Graph holds it
// or in Exchange's normalised form (graph.SameTopic): a conversation posted
// as "FYI: x" may be listed as "x".
func withTopic(conversations []graph.Conversation, topic string) []graph.Conversation {
	var kept []graph.Conversation
	for _, c := range conversations {
		if graph.SameTopic(topic, c.Topic) {
			kept = append(kept, c)
		}
	}
	return kept
}

// conversationListValue is the conversations attribute. threads holds what
// include_threads read, by conversation id; nil when it is not set.
func conversationListValue(ctx context.Context, conversations []graph.Conversation, threads map[string]graph.ConversationThreads) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elements := make([]attr.Value, 0, len(conversations))
	for _, c := range conversations {
		senders, d := stringListValue(ctx, c.UniqueSenders)
		diags.Append(d...)
		values := map[string]attr.Value{
			"id":                       types.StringValue(c.ID),
			"topic":                    types.StringValue(c.Topic),
			"has_attachments":          types.BoolValue(c.HasAttachments),
			"last_delivered_date_time": timeValue(c.LastDeliveredDateTime),
			"preview":                  types.StringValue(c.Preview),
			"unique_senders":           senders,
		}
		ct, read := threads[c.ID]
		diags.Append(setFirstPostValues(values, ct, read)...)
		element, d := types.ObjectValue(conversationAttrTypes, values)
		diags.Append(d...)
		elements = append(elements, element)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: conversationAttrTypes}, elements)
	diags.Append(d...)
	return list, diags
}

// includedThreadAttributes are the attributes include_threads fills in, named
// like the arguments of msgraph_group_conversation and
// msgraph_group_conversation_thread so that they can be passed on as they
// are.
func includedThreadAttributes() map[string]schema.Attribute {
	const onlyWith = " Null unless `include_threads` is set."
	return map[string]schema.Attribute{
		"thread_id": schema.StringAttribute{
			MarkdownDescription: "The id of the thread that started the conversation, as `msgraph_group_conversation` reports it." +
				onlyWith,
			Computed: true,
		},
		"body": postBodyDataAttribute("The body of the conversation's first post, as the `body` argument of " +
			"`msgraph_group_conversation` is written (and as importing it reads it)." + onlyWith),
		"new_participants": recipientListDataAttribute("People the first post added to the conversation, as the " +
			"`new_participants` argument of `msgraph_group_conversation` is written: null when there are none." + onlyWith),
		"additional_threads": schema.ListNestedAttribute{
			MarkdownDescription: "The conversation's other threads, in the order Graph returns them: every thread but the one " +
				"that started the conversation (which belongs to `msgraph_group_conversation`), each with the arguments of " +
				"`msgraph_group_conversation_thread` as importing it reads them. Empty when there are none." + onlyWith,
			Computed: true,
			NestedObject: schema.NestedAttributeObject{
				Attributes: map[string]schema.Attribute{
					"id": schema.StringAttribute{
						MarkdownDescription: "The thread id.",
						Computed:            true,
					},
					"topic": schema.StringAttribute{
						MarkdownDescription: "The thread's subject, which is the conversation's.",
						Computed:            true,
					},
					"is_locked": schema.BoolAttribute{
						MarkdownDescription: "Whether the thread is locked.",
						Computed:            true,
					},
					"body": postBodyDataAttribute("The body of the thread's first post, as the `body` argument of " +
						"`msgraph_group_conversation_thread` is written."),
					"to_recipients": recipientListDataAttribute("The thread's To recipients, null when there are none. " +
						"Graph adds the people that replies bring in, so this list can grow."),
					"cc_recipients": recipientListDataAttribute("The thread's Cc recipients, null when there are none."),
				},
			},
		},
	}
}

func postBodyDataAttribute(description string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		MarkdownDescription: description,
		Computed:            true,
		Attributes: map[string]schema.Attribute{
			"content_type": schema.StringAttribute{
				MarkdownDescription: "`html` or `text`.",
				Computed:            true,
			},
			"content": schema.StringAttribute{
				MarkdownDescription: "The content. HTML comes without the document Exchange wraps it in.",
				Computed:            true,
				CustomType:          htmlbody.ContentType{},
			},
		},
	}
}

func recipientListDataAttribute(description string) schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		MarkdownDescription: description,
		Computed:            true,
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"address": schema.StringAttribute{MarkdownDescription: "Email address.", Computed: true},
				"name":    schema.StringAttribute{MarkdownDescription: "Display name; null when Graph has none.", Computed: true},
			},
		},
	}
}

// setFirstPostValues fills in the attributes of one conversation that
// include_threads reads, with the same conversions an import uses
// (importedBody, recipientListValue), so that a configuration built from them
// imports without changes. read is false when include_threads is not set, and
// they all stay null; a conversation without any post (which cannot be
// imported either) keeps a null thread_id, body and new_participants.
func setFirstPostValues(values map[string]attr.Value, ct graph.ConversationThreads, read bool) diag.Diagnostics {
	threadType := types.ObjectType{AttrTypes: additionalThreadAttrTypes}
	values["thread_id"] = types.StringNull()
	values["body"] = types.ObjectNull(itemBodyAttrTypes)
	values["new_participants"] = types.ListNull(recipientListType.ElemType)
	values["additional_threads"] = types.ListNull(threadType)
	if !read {
		return nil
	}
	var diags diag.Diagnostics
	others := make([]attr.Value, 0, len(ct.Threads))
	for i, t := range ct.Threads {
		body, d := importedBody(t.FirstPost.Body)
		diags.Append(d...)
		if i == ct.First {
			participants, d := recipientListValue(t.FirstPost.NewParticipants)
			diags.Append(d...)
			values["thread_id"] = types.StringValue(t.ID)
			values["body"] = body
			values["new_participants"] = participants
			continue
		}
		to, d := recipientListValue(t.ToRecipients)
		diags.Append(d...)
		cc, d := recipientListValue(t.CcRecipients)
		diags.Append(d...)
		thread, d := types.ObjectValue(additionalThreadAttrTypes, map[string]attr.Value{
			"id":            types.StringValue(t.ID),
			"topic":         types.StringValue(t.Topic),
			"is_locked":     types.BoolValue(t.IsLocked),
			"body":          body,
			"to_recipients": to,
			"cc_recipients": cc,
		})
		diags.Append(d...)
		others = append(others, thread)
	}
	list, d := types.ListValue(threadType, others)
	diags.Append(d...)
	values["additional_threads"] = list
	return diags
}
