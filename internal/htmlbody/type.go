package htmlbody

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

var (
	_ basetypes.StringTypable                    = ContentType{}
	_ basetypes.StringValuableWithSemanticEquals = Content{}
)

// ContentType is the framework type of a post body's content.
type ContentType struct {
	basetypes.StringType
}

func (t ContentType) String() string { return "htmlbody.ContentType" }

func (t ContentType) ValueType(context.Context) attr.Value { return Content{} }

func (t ContentType) Equal(o attr.Type) bool {
	other, ok := o.(ContentType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t ContentType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return Content{StringValue: in}, nil
}

func (t ContentType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	value, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	stringValue, ok := value.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", value)
	}
	return Content{StringValue: stringValue}, nil
}

// Content is a post body's content. Two contents are semantically equal when
// they are the same post, so a body Graph re-wrapped never shows as a diff.
type Content struct {
	basetypes.StringValue
}

// NewContent returns a known Content.
func NewContent(s string) Content { return Content{StringValue: basetypes.NewStringValue(s)} }

func (v Content) Type(context.Context) attr.Type { return ContentType{} }

func (v Content) Equal(o attr.Value) bool {
	other, ok := o.(Content)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v Content) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	newValue, ok := newValuable.(Content)
	if !ok {
		diags.AddError("Semantic Equality Check Error",
			fmt.Sprintf("Expected value type %T but got %T. Please report this to the provider developers.", v, newValuable))
		return false, diags
	}
	if v.IsNull() || v.IsUnknown() || newValue.IsNull() || newValue.IsUnknown() {
		return false, diags
	}
	return graph.SameBodyContent(v.ValueString(), newValue.ValueString()), diags
}
