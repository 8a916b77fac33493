package provider

import (
	"context"
	"fmt"

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
	_ datasource.DataSource              = &groupConversationPostsDataSource{}
	_ datasource.DataSourceWithConfigure = &groupConversationPostsDataSource{}
)

// NewGroupConversationPostsDataSource returns the
// msgraph_group_conversation_posts data source.
func NewGroupConversationPostsDataSource() datasource.DataSource {
	return &groupConversationPostsDataSource{}
}

type groupConversationPostsDataSource struct {
	client *graph.Client
}

type groupConversationPostsDataSourceModel struct {
	GroupID        types.String `tfsdk:"group_id"`
	ConversationID types.String `tfsdk:"conversation_id"`
	ThreadID       types.String `tfsdk:"thread_id"`
	Posts          types.List   `tfsdk:"posts"`
}

var (
	rawBodyAttrTypes = map[string]attr.Type{
		"content_type": types.StringType,
		"content":      types.StringType,
	}
	postAttrTypes = map[string]attr.Type{
		"id":                 types.StringType,
		"from":               types.ObjectType{AttrTypes: recipientAttrTypes},
		"sender":             types.ObjectType{AttrTypes: recipientAttrTypes},
		"received_date_time": types.StringType,
		"body":               types.ObjectType{AttrTypes: rawBodyAttrTypes},
		"has_attachments":    types.BoolType,
	}
)

func (d *groupConversationPostsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group_conversation_posts"
}

func (d *groupConversationPostsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	recipient := func(description string) schema.SingleNestedAttribute {
		return schema.SingleNestedAttribute{
			MarkdownDescription: description,
			Computed:            true,
			Attributes: map[string]schema.Attribute{
				"address": schema.StringAttribute{MarkdownDescription: "Email address.", Computed: true},
				"name":    schema.StringAttribute{MarkdownDescription: "Display name.", Computed: true},
			},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the posts of one thread of a group conversation, in the order Graph returns them. Graph lists " +
			"at most 100 posts of a thread; when it lists 100, the data source warns that there may be more, and that the " +
			"thread's first post may be one of those not listed.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{
				MarkdownDescription: "The object id (a GUID) of the Microsoft 365 group whose mailbox holds the conversation.",
				Required:            true,
				Validators:          []validator.String{guidValidator()},
			},
			"conversation_id": schema.StringAttribute{
				MarkdownDescription: "The id of the conversation the thread belongs to.",
				Required:            true,
				Validators:          []validator.String{graphIDValidator("conversation")},
			},
			"thread_id": schema.StringAttribute{
				MarkdownDescription: "The id of the thread whose posts are read, for example `msgraph_group_conversation.<name>.thread_id`.",
				Required:            true,
				Validators:          []validator.String{graphIDValidator("thread")},
			},
			"posts": schema.ListNestedAttribute{
				MarkdownDescription: "The thread's posts, in the order Graph returns them.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id": schema.StringAttribute{
							MarkdownDescription: "The post id.",
							Computed:            true,
						},
						"from":   recipient("Who the post is from: the sender, or whom the sender posted on behalf of."),
						"sender": recipient("Who sent the post."),
						"received_date_time": schema.StringAttribute{
							MarkdownDescription: "When the post was received (RFC 3339, UTC).",
							Computed:            true,
						},
						"body": schema.SingleNestedAttribute{
							MarkdownDescription: "The post's body, exactly as Graph returns it.",
							Computed:            true,
							Attributes: map[string]schema.Attribute{
								"content_type": schema.StringAttribute{
									MarkdownDescription: "`html` or `text`.",
									Computed:            true,
								},
								"content": schema.StringAttribute{
									MarkdownDescription: "The content as Graph stores it: HTML comes wrapped in a document of Exchange's own.",
									Computed:            true,
								},
							},
						},
						"has_attachments": schema.BoolAttribute{
							MarkdownDescription: "Whether the post has attachments.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *groupConversationPostsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupConversationPostsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config groupConversationPostsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(d.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()
	groupID, conversationID, threadID := config.GroupID.ValueString(), config.ConversationID.ValueString(), config.ThreadID.ValueString()
	ctx = tflog.SetField(ctx, "group_id", groupID)
	ctx = tflog.SetField(ctx, "conversation_id", conversationID)
	ctx = tflog.SetField(ctx, "thread_id", threadID)

	posts, err := d.client.ListThreadPosts(ctx, groupID, conversationID, threadID)
	if err != nil {
		advice := explainReadFailure(ctx, d.client, groupID, err)
		if advice == "" && graph.IsNotFound(err) {
			advice = "The conversation or the thread does not exist in this group: it may have been deleted. Check conversation_id and thread_id."
		}
		addGraphError(&resp.Diagnostics, "List Group Conversation Posts Failed",
			fmt.Sprintf("Could not list the posts of thread %s in conversation %s of group %s.", threadID, conversationID, groupID), err, advice)
		return
	}
	tflog.Debug(ctx, "Listed thread posts", map[string]any{"posts": len(posts.Posts)})
	if posts.Full {
		resp.Diagnostics.AddWarning("Thread Holds 100 Posts or More",
			fmt.Sprintf("Microsoft Graph lists at most %d posts of a thread, and listed %d of thread %s: the thread may hold more, "+
				"which Graph does not list, and its first post may be one of them. posts holds the posts Graph listed, in its order.",
				graph.MaxListedPosts, len(posts.Posts), threadID))
	}

	list, diags := postListValue(posts.Posts)
	resp.Diagnostics.Append(diags...)
	config.Posts = list
	resp.Diagnostics.Append(resp.State.Set(ctx, &config)...)
}

func postListValue(posts []graph.Post) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elements := make([]attr.Value, 0, len(posts))
	for _, p := range posts {
		from, d := recipientValue(p.From)
		diags.Append(d...)
		sender, d := recipientValue(p.Sender)
		diags.Append(d...)
		body, d := types.ObjectValue(rawBodyAttrTypes, map[string]attr.Value{
			"content_type": stringOrNull(p.Body.ContentType),
			"content":      types.StringValue(p.Body.Content),
		})
		diags.Append(d...)
		element, d := types.ObjectValue(postAttrTypes, map[string]attr.Value{
			"id":                 types.StringValue(p.ID),
			"from":               from,
			"sender":             sender,
			"received_date_time": timeValue(p.ReceivedDateTime),
			"body":               body,
			"has_attachments":    types.BoolValue(p.HasAttachments),
		})
		diags.Append(d...)
		elements = append(elements, element)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: postAttrTypes}, elements)
	diags.Append(d...)
	return list, diags
}
