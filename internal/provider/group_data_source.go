package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

var (
	_ datasource.DataSource                     = &groupDataSource{}
	_ datasource.DataSourceWithConfigure        = &groupDataSource{}
	_ datasource.DataSourceWithConfigValidators = &groupDataSource{}
)

// NewGroupDataSource returns the msgraph_group data source.
func NewGroupDataSource() datasource.DataSource {
	return &groupDataSource{}
}

type groupDataSource struct {
	client *graph.Client
}

type groupDataSourceModel struct {
	ID             types.String `tfsdk:"id"`
	DisplayName    types.String `tfsdk:"display_name"`
	MailNickname   types.String `tfsdk:"mail_nickname"`
	Mail           types.String `tfsdk:"mail"`
	GroupTypes     types.List   `tfsdk:"group_types"`
	IsMicrosoft365 types.Bool   `tfsdk:"is_microsoft_365"`
}

func (d *groupDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_group"
}

func (d *groupDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	notBlank := stringvalidator.RegexMatches(regexp.MustCompile(`\S`), "must not be empty or only white space")
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one directory group by its object id, display name or mail nickname (exactly one of them). " +
			"Display names and mail nicknames match case-insensitively; finding no group, or several, is an error.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The group's object id (a GUID). Set it to look the group up by id.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{guidValidator()},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The group's display name. Set it to look the group up by display name, which is not unique: " +
					"several matching groups are an error.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{notBlank},
			},
			"mail_nickname": schema.StringAttribute{
				MarkdownDescription: "The group's mail alias, the part of its address before the `@`. Set it to look the group up by mail nickname.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{notBlank},
			},
			"mail": schema.StringAttribute{
				MarkdownDescription: "The group's SMTP address, or null for a group without mail.",
				Computed:            true,
			},
			"group_types": schema.ListAttribute{
				MarkdownDescription: "The group's types: `Unified` for a Microsoft 365 group, `DynamicMembership` for dynamic membership.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"is_microsoft_365": schema.BoolAttribute{
				MarkdownDescription: "Whether the group is a Microsoft 365 group (`group_types` contains `Unified`): only those have " +
					"a group mailbox, and so conversations.",
				Computed: true,
			},
		},
	}
}

func (d *groupDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("display_name"), path.MatchRoot("mail_nickname")),
	}
}

func (d *groupDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = graphClientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *groupDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config groupDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || !requireGraphClient(d.client, &resp.Diagnostics) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, dataSourceReadTimeout)
	defer cancel()

	var group graph.Group
	if !config.ID.IsNull() {
		group = d.readByID(ctx, config.ID.ValueString(), &resp.Diagnostics)
	} else {
		group = d.find(ctx, config, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	state := groupDataSourceModel{
		ID:             types.StringValue(group.ID),
		DisplayName:    types.StringValue(group.DisplayName),
		MailNickname:   types.StringValue(group.MailNickname),
		Mail:           stringOrNull(group.Mail),
		IsMicrosoft365: types.BoolValue(group.IsMicrosoft365()),
	}
	// The attribute the group was looked up by keeps its configured
	// spelling: Terraform requires a data source to return configured values
	// unchanged, and directory matching ignores case.
	switch {
	case !config.ID.IsNull():
		state.ID = config.ID
	case !config.DisplayName.IsNull():
		state.DisplayName = config.DisplayName
	default:
		state.MailNickname = config.MailNickname
	}
	groupTypes, diags := stringListValue(ctx, group.GroupTypes)
	resp.Diagnostics.Append(diags...)
	state.GroupTypes = groupTypes
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (d *groupDataSource) readByID(ctx context.Context, groupID string, diags *diag.Diagnostics) graph.Group {
	tflog.Debug(ctx, "Reading group by id", map[string]any{"group_id": groupID})
	group, err := d.client.GetGroup(ctx, groupID)
	if err != nil {
		advice := ""
		if graph.IsNotFound(err) {
			advice = "No group has this id, or the signed-in identity cannot see it. Check id."
		}
		addGraphError(diags, "Read Group Failed", fmt.Sprintf("Could not read group %s.", groupID), err, advice)
	}
	return group
}

// find looks the group up by display name or mail nickname, neither of
// which Graph keeps unique, so zero and several matches are both errors.
func (d *groupDataSource) find(ctx context.Context, config groupDataSourceModel, diags *diag.Diagnostics) graph.Group {
	attribute, property, value := "display_name", graph.GroupDisplayName, config.DisplayName.ValueString()
	if config.DisplayName.IsNull() {
		attribute, property, value = "mail_nickname", graph.GroupMailNickname, config.MailNickname.ValueString()
	}
	tflog.Debug(ctx, "Finding group", map[string]any{"by": attribute, "value": value})
	found, err := d.client.FindGroups(ctx, property, value)
	if err != nil {
		addGraphError(diags, "Find Group Failed", fmt.Sprintf("Could not look up the group with %s %q.", attribute, value), err, "")
		return graph.Group{}
	}
	tflog.Debug(ctx, "Found groups", map[string]any{"by": attribute, "matches": len(found)})
	switch len(found) {
	case 1:
		return found[0]
	case 0:
		diags.AddAttributeError(path.Root(attribute), "No Group Found",
			fmt.Sprintf("No group has %s %q: Microsoft Graph found 0 matching groups. Check the value, "+
				"and that the signed-in identity can see the group.", attribute, value))
	default:
		ids := make([]string, 0, len(found))
		for _, g := range found {
			ids = append(ids, g.ID)
		}
		diags.AddAttributeError(path.Root(attribute), "Several Groups Found",
			fmt.Sprintf("%d groups have %s %q: %s. Look the group up by id instead.", len(found), attribute, value, strings.Join(ids, ", ")))
	}
	return graph.Group{}
}
