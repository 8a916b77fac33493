package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

var (
	_ datasource.DataSource              = &groupConversationDataSource{}
	_ datasource.DataSourceWithConfigure = &groupConversationDataSource{}
)

// NewGroupConversationDataSource returns the msgraph_group_conversation data
// source.
func NewGroupConversationDataSource() datasource.DataSource {
	return &groupConversationDataSource{}
}

type groupConversationDataSource struct {
	client *graph.Client
}

type groupConversationDataSourceModel struct {
	GroupID               types.String `tfsdk:"group_id"`
	ID                    types.String `tfsdk:"id"`
	Topic                 types.String `tfsdk:"topic"`
	HasAttachments        types.Bool   `tfsdk:"has_attachments"`
	LastDeliveredDateTime types.String `tfsdk:"last_delivered_date_time"`
	Preview               types.String `tfsdk:"preview"`
	UniqueSenders         types.List   `tfsdk:"unique_senders"`
}

func (d *groupConversationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversation"
}

func (d *groupConversationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one conversation of a Microsoft 365 group: its topic and the properties Graph computes from its posts.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose mailbox holds the conversation.",
				Required:            true,
				Validators:          []validator.String{guidValidator()},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The conversation id.",
				Required:            true,
				Validators:          []validator.String{graphIDValidator("conversation")},
			},
			"topic":                    conversationAttributes["topic"],
			"has_attachments":          conversationAttributes["has_attachments"],
			"last_delivered_date_time": conversationAttributes["last_delivered_date_time"],
			"preview":                  conversationAttributes["preview"],
			"unique_senders":           conversationAttributes["unique_senders"],
		},
	}
}

func (d *groupConversationDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupConversationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config groupConversationDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(d.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	groupID, conversationID := config.GroupID.ValueString(), config.ID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)
	ctx = tflog.SetField(ctx, "conversation_id", conversationID)

	tflog.Debug(ctx, "Reading group conversation")
	conversation, err := d.client.GetConversation(ctx, groupID, conversationID)
	if err != nil {
		advice := explainReadFailure(ctx, d.client, groupID, err)
		if advice == "" && graph.IsNotFound(err) {
			advice = fmt.Sprintf("The group has no conversation %s: it may have been deleted. Check id.", conversationID)
		}
		addGraphError(&resp.Diagnostics, "Read Group Conversation Failed",
			fmt.Sprintf("Could not read conversation %s of group %s.", conversationID, groupID), err, advice)
		return
	}
	state := groupConversationDataSourceModel{
		GroupID:               config.GroupID,
		ID:                    config.ID,
		Topic:                 types.StringValue(conversation.Topic),
		HasAttachments:        types.BoolValue(conversation.HasAttachments),
		LastDeliveredDateTime: timeValue(conversation.LastDeliveredDateTime),
		Preview:               types.StringValue(conversation.Preview),
	}
	senders, diags := stringListValue(ctx, conversation.UniqueSenders)
	resp.Diagnostics.Append(diags...)
	state.UniqueSenders = senders
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
