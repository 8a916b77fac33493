package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
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
	GroupID       types.String `tfsdk:"group_id"`
	Topic         types.String `tfsdk:"topic"`
	Conversations types.List   `tfsdk:"conversations"`
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

var conversationAttrTypes = map[string]attr.Type{
	"id":                       types.StringType,
	"topic":                    types.StringType,
	"has_attachments":          types.BoolType,
	"last_delivered_date_time": types.StringType,
	"preview":                  types.StringType,
	"unique_senders":           types.ListType{ElemType: types.StringType},
}

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
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every conversation of a Microsoft 365 group, across all of Graph's pages, optionally only those " +
			"with a given topic.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose conversations are listed.",
				Required:            true,
				Validators:          []validator.String{guidValidator()},
			},
			"topic": schema.StringAttribute{
				MarkdownDescription: "Only list conversations whose topic is exactly this (case-sensitive). Graph cannot filter on " +
					"topic, so every conversation is read and the filter is applied by the provider.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
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

	conversations, err := d.client.ListConversations(ctx, groupID)
	if err != nil {
		addGraphError(&resp.Diagnostics, "List Group Conversations Failed",
			fmt.Sprintf("Could not list the conversations of group %s.", groupID), err, d.client.ExplainReadFailure(ctx, groupID, err))
		return
	}
	listed := len(conversations)
	if !config.Topic.IsNull() {
		conversations = withTopic(conversations, config.Topic.ValueString())
	}
	tflog.Debug(ctx, "Listed group conversations", map[string]any{"listed": listed, "kept": len(conversations)})

	list, diags := conversationListValue(ctx, conversations)
	resp.Diagnostics.Append(diags...)
	config.Conversations = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

// withTopic keeps the conversations whose topic is exactly topic.
func withTopic(conversations []graph.Conversation, topic string) []graph.Conversation {
	var kept []graph.Conversation
	for _, c := range conversations {
		if c.Topic == topic {
			kept = append(kept, c)
		}
	}
	return kept
}

func conversationListValue(ctx context.Context, conversations []graph.Conversation) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elements := make([]attr.Value, 0, len(conversations))
	for _, c := range conversations {
		senders, d := stringListValue(ctx, c.UniqueSenders)
		diags.Append(d...)
		element, d := types.ObjectValue(conversationAttrTypes, map[string]attr.Value{
			"id":                       types.StringValue(c.ID),
			"topic":                    types.StringValue(c.Topic),
			"has_attachments":          types.BoolValue(c.HasAttachments),
			"last_delivered_date_time": timeValue(c.LastDeliveredDateTime),
			"preview":                  types.StringValue(c.Preview),
			"unique_senders":           senders,
		})
		diags.Append(d...)
		elements = append(elements, element)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: conversationAttrTypes}, elements)
	diags.Append(d...)
	return list, diags
}
