// Package provider is the Terraform glue of the msgraph provider: the
// provider schema and configuration, and one file per resource. Graph access
// lives in internal/graph.
package provider

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/auth"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// Address is where the provider is published.
const Address = "registry.terraform.io/seed40294029/msgraph"

// envEndpoint is read when the provider block leaves endpoint out. The
// sign-in attributes' variables are listed in internal/auth.
const envEndpoint = "ARM_MSGRAPH_ENDPOINT"

var (
	_ provider.Provider                   = &msgraphProvider{}
	_ provider.ProviderWithValidateConfig = &msgraphProvider{}
)

// New returns a constructor of the provider, as providerserver expects.
func New(version, commit string) func() provider.Provider {
	return func() provider.Provider {
		return &msgraphProvider{version: version, commit: commit}
	}
}

type msgraphProvider struct {
	version string
	commit  string
	// authOptions reach the credentials' HTTP requests. Only tests set
	// them, to trust a fake identity service on loopback; production uses
	// the zero value.
	authOptions auth.Options
	// timing shortens the Graph client's waits. Only tests set it, so that
	// a 30-second visibility grace does not dominate every run; production
	// uses the zero value (the Graph layer's defaults).
	timing clientTiming
}

// clientTiming holds the Graph client's pacing; zero values mean defaults.
type clientTiming struct {
	retryBaseDelay  time.Duration
	visibilityGrace time.Duration
}

type msgraphProviderModel struct {
	Endpoint                      types.String `tfsdk:"endpoint"`
	MaxConcurrentRequestsPerGroup types.Int64  `tfsdk:"max_concurrent_requests_per_group"`
	CoalesceReads                 types.Bool   `tfsdk:"coalesce_reads"`
	// signInModel holds access_token and the other sign-in attributes
	// (provider_auth.go).
	signInModel
}

// defaultMaxConcurrentRequestsPerGroup is Exchange's own limit: 4 requests
// in flight per app and mailbox, the fifth answered with 429.
const defaultMaxConcurrentRequestsPerGroup = 4

func (p *msgraphProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "msgraph"
	resp.Version = p.version
}

func (p *msgraphProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Microsoft Graph group conversations: the announcement and discussion threads of Microsoft 365 groups.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Graph service root, including the version. Defaults to the Graph of `environment` " +
					"(`" + graph.DefaultEndpoint + "` for `global`); can also be set with the `" + envEndpoint + "` environment " +
					"variable. Set it for a proxy or an emulator: requests go there and the token is sent to no other origin (scheme, " +
					"host and port), but " +
					"tokens are still requested for the Graph audience of `environment`. Plain `http://` is accepted only for " +
					"loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), for example the bundled Graph emulator.",
				Optional: true,
			},
			"max_concurrent_requests_per_group": schema.Int64Attribute{
				MarkdownDescription: "How many Graph requests the provider keeps in flight per group mailbox; more wait their turn " +
					"in the provider. Exchange serves at most 4 concurrent requests per application and mailbox and answers " +
					"the rest with `429 Too Many Requests`, so the default of `4` lets `terraform apply -parallelism=10` on " +
					"one group run without throttling. Lower it when other tools use the same application against the same " +
					"groups; `0` removes the limit.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"coalesce_reads": schema.BoolAttribute{
				MarkdownDescription: "Whether reads of conversations in the same group that arrive together (a refresh, or the " +
					"reads after many creates while the group's mailbox is busy) are served from one shared listing of the " +
					"group's conversations instead of one request each. Defaults to `true`: a refresh of 100 conversations in " +
					"one group then costs one request instead of 100. A conversation missing from the listing is still read on " +
					"its own before it is declared deleted, and a listing never outlives the command that asked for it. Set " +
					"`false` to read every conversation with its own request.",
				Optional: true,
			},
		},
	}
	for name, attribute := range signInAttributes() {
		resp.Schema.Attributes[name] = attribute
	}
}

// ValidateConfig reports wrong combinations of sign-in settings when
// Terraform validates or plans, before anything is signed in. Files are read
// in Configure.
func (p *msgraphProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var config msgraphProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() || config.signInModel.unknown() {
		return
	}
	cfg, diags := config.signInModel.authConfig()
	resp.Diagnostics.Append(diags...)
	addProblems(&resp.Diagnostics, auth.Check(cfg))
}

func (p *msgraphProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config msgraphProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.Endpoint.IsUnknown() || config.signInModel.unknown() {
		// Values that come from other resources are known only at apply;
		// the resources report the missing client if they are reached.
		tflog.Debug(ctx, "Provider configuration is not yet known; deferring client creation")
		return
	}

	cfg, diags := config.signInModel.authConfig()
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Resolve reads the files the settings name and picks the sign-in
	// method (access_token, client certificate, client secret, OIDC,
	// managed identity, Azure CLI: the first configured wins).
	selection, problems := auth.Resolve(cfg)
	addProblems(&resp.Diagnostics, problems)
	cloud, ok := auth.LookupCloud(cfg.Environment)
	if !ok {
		return
	}
	endpoint := stringOrEnv(config.Endpoint, envEndpoint, cloud.GraphEndpoint())
	if _, err := graph.ParseEndpoint(endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Graph Endpoint",
			"The endpoint "+err.Error()+". Set endpoint (or "+envEndpoint+") to the Graph service root, such as "+cloud.GraphEndpoint()+".")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	credential, err := selection.Credential(p.authOptions)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Set Up Sign-In", err.Error())
		return
	}

	perGroup := int64(defaultMaxConcurrentRequestsPerGroup)
	if !config.MaxConcurrentRequestsPerGroup.IsNull() {
		perGroup = config.MaxConcurrentRequestsPerGroup.ValueInt64()
	}
	client, err := newGraphClient(ctx, graph.Options{
		Endpoint:   endpoint,
		Credential: credential,
		// The environment's audience even with a custom endpoint: that is a
		// proxy or an emulator standing in for the environment's Graph.
		Scopes:                        []string{cloud.Scope()},
		UserAgent:                     "terraform-provider-msgraph/" + p.version,
		MaxConcurrentRequestsPerGroup: int(perGroup),
		RetryBaseDelay:                p.timing.retryBaseDelay,
		VisibilityGrace:               p.timing.visibilityGrace,
		CoalesceReads:                 config.CoalesceReads.IsNull() || config.CoalesceReads.ValueBool(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Microsoft Graph Client", err.Error())
		return
	}
	// Only the method's name is logged: never a value of a setting.
	tflog.Info(ctx, "Configured Microsoft Graph client", map[string]any{
		"endpoint": endpoint, "environment": cloud.Name, "sign_in_method": string(selection.Method),
		"provider_version": p.version, "commit": p.commit, "max_concurrent_requests_per_group": perGroup,
	})
	resp.ResourceData = client
	resp.DataSourceData = client
}

func (p *msgraphProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGroupConversationResource,
		NewGroupConversationThreadResource,
	}
}

func (p *msgraphProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewGroupDataSource,
		NewGroupConversationDataSource,
		NewGroupConversationsDataSource,
		NewGroupConversationPostsDataSource,
	}
}

// stringOrEnv returns the configured value, else the environment variable,
// else the fallback.
func stringOrEnv(v types.String, env, fallback string) string {
	if !v.IsNull() && v.ValueString() != "" {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return fallback
}
