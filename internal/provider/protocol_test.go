package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// protocolProvider drives the provider the way the CLI does, over the
// plugin protocol, in process: the same server terraform-plugin-testing
// hands the CLI, so the framework's validation, the schema's validators
// and the diagnostics' attribute paths are the ones a user sees, without
// starting a CLI.
type protocolProvider struct {
	t       *testing.T
	server  tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

func newProtocolProvider(t *testing.T) *protocolProvider {
	t.Helper()
	server, err := testAccProtoV6ProviderFactories["msgraph"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if errs := errorDiagnostics(schemas.Diagnostics); len(errs) != 0 {
		t.Fatalf("GetProviderSchema:%s", formatDiagnostics(errs))
	}
	return &protocolProvider{t: t, server: server, schemas: schemas}
}

// providerType and resourceType are the object types of the provider's
// configuration and of a resource's configuration and state.
func (p *protocolProvider) providerType() tftypes.Object {
	return p.schemas.Provider.ValueType().(tftypes.Object)
}

func (p *protocolProvider) resourceType(typeName string) tftypes.Object {
	p.t.Helper()
	s, ok := p.schemas.ResourceSchemas[typeName]
	if !ok {
		p.t.Fatalf("no resource %s", typeName)
	}
	return s.ValueType().(tftypes.Object)
}

func (p *protocolProvider) dynamicValue(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// validateResource asks the provider to validate a resource configuration,
// as the CLI does before it plans.
func (p *protocolProvider) validateResource(typeName string, config tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.server.ValidateResourceConfig(context.Background(), &tfprotov6.ValidateResourceConfigRequest{
		TypeName: typeName,
		Config:   p.dynamicValue(p.resourceType(typeName), config),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// configure configures the provider with config.
func (p *protocolProvider) configure(config tftypes.Value) []*tfprotov6.Diagnostic {
	p.t.Helper()
	resp, err := p.server.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.11.4",
		Config:           p.dynamicValue(p.providerType(), config),
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.Diagnostics
}

// importResource imports id as the CLI does: ImportResourceState, then a
// ReadResource of what it returned. gone reports that the read removed the
// object, which the CLI reports as "Cannot import non-existent remote
// object". The read is skipped when the import fails, as the CLI skips it.
func (p *protocolProvider) importResource(typeName, id string) (diags []*tfprotov6.Diagnostic, gone bool) {
	p.t.Helper()
	ctx := context.Background()
	imported, err := p.server.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName, ID: id})
	if err != nil {
		p.t.Fatal(err)
	}
	if len(errorDiagnostics(imported.Diagnostics)) != 0 {
		return imported.Diagnostics, false
	}
	if len(imported.ImportedResources) != 1 {
		p.t.Fatalf("import of %q returned %d resources, want 1", id, len(imported.ImportedResources))
	}
	read, err := p.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName:     typeName,
		CurrentState: imported.ImportedResources[0].State,
		Private:      imported.ImportedResources[0].Private,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	diags = append(imported.Diagnostics, read.Diagnostics...)
	if read.NewState == nil {
		return diags, true
	}
	state, err := read.NewState.Unmarshal(p.resourceType(typeName))
	if err != nil {
		p.t.Fatal(err)
	}
	return diags, state.IsNull()
}

// objectValue is a value of typ with the attributes in set and every other
// attribute null, as the CLI sends an object whose configuration leaves
// them out.
func objectValue(typ tftypes.Object, set map[string]tftypes.Value) tftypes.Value {
	attrs := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, attrType := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range set {
		attrs[name] = v
	}
	return tftypes.NewValue(typ, attrs)
}

// stringValue is a configured string.
func stringValue(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

// errorDiagnostics are the error diagnostics among diags.
func errorDiagnostics(diags []*tfprotov6.Diagnostic) []*tfprotov6.Diagnostic {
	var errs []*tfprotov6.Diagnostic
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, d)
		}
	}
	return errs
}

// attributePathString renders p as the framework renders a path in a
// message: body.content_type, new_participants[1].address.
func attributePathString(p *tftypes.AttributePath) string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, step := range p.Steps() {
		switch s := step.(type) {
		case tftypes.AttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case tftypes.ElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case tftypes.ElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(s))
		default:
			fmt.Fprintf(&b, "[%v]", s)
		}
	}
	return b.String()
}

// wantOneError fails t unless diags hold exactly one error, with summary,
// a detail holding each of details in order, and, when path is not empty,
// that attribute path.
func wantOneError(t *testing.T, diags []*tfprotov6.Diagnostic, path, summary string, details ...string) {
	t.Helper()
	errs := errorDiagnostics(diags)
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1 (%q): %s", len(errs), summary, formatDiagnostics(diags))
	}
	d := errs[0]
	if d.Summary != summary {
		t.Errorf("summary %q, want %q", d.Summary, summary)
	}
	rest := d.Detail
	for _, want := range details {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Errorf("detail %q does not hold %q (after the parts before it)", d.Detail, want)
			break
		}
		rest = rest[i+len(want):]
	}
	if got := attributePathString(d.Attribute); path != "" && got != path {
		t.Errorf("attribute path %q, want %q", got, path)
	}
}

func formatDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %s [%s] %q: %q", d.Severity, attributePathString(d.Attribute), d.Summary, d.Detail)
	}
	return b.String()
}
