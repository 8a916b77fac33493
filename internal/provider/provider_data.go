package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// dataSourceReadTimeout bounds one data source read, retries after
// throttling and every page of a list included.
const dataSourceReadTimeout = 5 * time.Minute

// graphClientFrom takes the Graph client that the provider's Configure hands
// to resources and data sources. Nil data is not an error: Terraform calls
// Configure before the provider is configured, and the client is checked
// again where it is used (requireGraphClient).
func graphClientFrom(providerData any, diags *diag.Diagnostics) *graph.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*graph.Client)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *graph.Client, got %T. Please report this to the provider developers.", providerData))
		return nil
	}
	return client
}

// requireGraphClient reports whether there is a client to call Graph with,
// and says why not when there is none.
func requireGraphClient(client *graph.Client, diags *diag.Diagnostics) bool {
	if client == nil {
		diags.AddError("Provider Not Configured",
			"The msgraph provider has no Graph client: its configuration was unknown when this was reached. "+
				"Make the provider's endpoint and credentials known values.")
		return false
	}
	return true
}
