package process_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/seed40294029/terraform-provider-msgraph/internal/process"
	"github.com/seed40294029/terraform-provider-msgraph/internal/process/rpcscope"
	"github.com/seed40294029/terraform-provider-msgraph/internal/provider"
)

// Serve and the acceptance tests serve the provider through NewProtocol6:
// it must be the framework's server with every RPC scoped, and serve the
// provider's schema through the wrapper.
func TestNewProtocol6ServesTheProviderScoped(t *testing.T) {
	t.Parallel()
	newProvider := provider.New("test", "test")
	want := reflect.TypeOf(rpcscope.Wrap(providerserver.NewProtocol6(newProvider())()))

	server := process.NewProtocol6(newProvider())()
	if got := reflect.TypeOf(server); got != want {
		t.Errorf("the server is a %v, want the framework's wrapped by rpcscope (%v)", got, want)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Diagnostics) > 0 || resp.ResourceSchemas["msgraph_group_conversation"] == nil {
		t.Errorf("GetProviderSchema through the wrapper: diagnostics %v, resources %d", resp.Diagnostics, len(resp.ResourceSchemas))
	}
}
