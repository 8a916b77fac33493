// Package provider is the Terraform glue of the msgraph provider: the
// provider schema and configuration, and one file per resource. Graph access
// lives in internal/graph.
package provider

import (
	"context"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// Address is where the provider is published.
const Address = "registry.terraform.io/seed40294029/msgraph"

// Environment variables read when the provider block leaves an attribute out.
const (
	envEndpoint    = "ARM_MSGRAPH_ENDPOINT"
	envAccessToken = "ARM_ACCESS_TOKEN"
)

var _ provider.Provider = &msgraphProvider{}

// New returns a constructor of the provider, as providerserver expects.
func New(version, commit string) func() provider.Provider {
	return func() provider.Provider {
		return &msgraphProvider{version: version, commit: commit}
	}
}

type msgraphProvider struct {
	version string
	commit  string
}

type msgraphProviderModel struct {
	Endpoint    types.String `tfsdk:"endpoint"`
	AccessToken types.String `tfsdk:"access_token"`
}

func (p *msgraphProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "msgraph"
	resp.Version = p.version
}

func (p *msgraphProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Microsoft Graph group conversations: the announcement and discussion threads of Microsoft 365 groups.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "The Microsoft Graph service root, including the version. Defaults to `" + graph.DefaultEndpoint +
					"`; can also be set with the `" + envEndpoint + "` environment variable. Plain `http://` is accepted only for " +
					"loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), for example the bundled Graph emulator.",
				Optional: true,
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "A bearer token for Microsoft Graph, used as is. Creating conversations needs a delegated " +
					"(user) token. Can also be set with the `" + envAccessToken + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
		},
	}
}

func (p *msgraphProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config msgraphProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if config.Endpoint.IsUnknown() || config.AccessToken.IsUnknown() {
		// Values that come from other resources are known only at apply;
		// the resources report the missing client if they are reached.
		tflog.Debug(ctx, "Provider configuration is not yet known; deferring client creation")
		return
	}

	endpoint := stringOrEnv(config.Endpoint, envEndpoint, graph.DefaultEndpoint)
	if _, err := graph.ParseEndpoint(endpoint); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Graph Endpoint",
			"The endpoint "+err.Error()+". Set endpoint (or "+envEndpoint+") to the Graph service root, such as "+graph.DefaultEndpoint+".")
	}
	credential, credentialPath, ok := p.credential(config)
	if !ok {
		resp.Diagnostics.AddAttributeError(credentialPath, "Missing Microsoft Graph Credentials",
			"No credentials are configured. Set access_token in the provider block, or the "+envAccessToken+
				" environment variable, to a Microsoft Graph token of a signed-in user.")
	}
	if resp.Diagnostics.HasError() {
		return
	}

	client, err := graph.NewClient(graph.Options{
		Endpoint:   endpoint,
		Credential: credential,
		UserAgent:  "terraform-provider-msgraph/" + p.version,
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Microsoft Graph Client", err.Error())
		return
	}
	tflog.Info(ctx, "Configured Microsoft Graph client", map[string]any{"endpoint": endpoint, "provider_version": p.version, "commit": p.commit})
	resp.ResourceData = client
	resp.DataSourceData = client
}

// credential picks the credential to sign requests with. Each way of
// signing in is one case here, tried in a documented order; the static
// access token is the only one so far.
func (p *msgraphProvider) credential(config msgraphProviderModel) (azcore.TokenCredential, path.Path, bool) {
	if token := stringOrEnv(config.AccessToken, envAccessToken, ""); token != "" {
		return graph.StaticToken(token), path.Root("access_token"), true
	}
	return nil, path.Root("access_token"), false
}

func (p *msgraphProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewGroupConversationResource,
	}
}

func (p *msgraphProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
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
