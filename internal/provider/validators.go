package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/helpers/validatordiag"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// guidPattern matches a directory object id.
var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// emailPattern is deliberately loose (Exchange accepts far more than a
// strict RFC 5322 subset would): one "@", no white space, a dot in the domain.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s.]+$`)

func guidValidator() validator.String {
	return stringvalidator.RegexMatches(guidPattern, "must be a group object id, a GUID such as 00000000-0000-0000-0000-000000000000")
}

func emailValidator() validator.String {
	return stringvalidator.RegexMatches(emailPattern, "must be an email address such as adele@contoso.com")
}

// graphIDPattern matches an Exchange id as Graph returns it (URL-safe base64
// with "=" padding, possibly percent-encoded): it is opaque, but it never
// holds "/" or white space, which is what makes "/"-separated import ids
// safe to split.
var graphIDPattern = regexp.MustCompile(`^[^/\s]+$`)

// graphIDProblem says why id cannot be a conversation, thread or post id,
// or "" when it can be. Besides "/" and white space, it refuses "." and
// "..", percent-encoded or not: Graph never gives such an id, and in a URL
// path they name the collection above, so a front end that resolves dot
// segments would turn a delete of conversation ".." into a delete of the
// group. The parsers of import ids call it, so an import id is refused
// when Terraform plans the import.
func graphIDProblem(id string) string {
	if !graphIDPattern.MatchString(id) {
		return `it is empty or holds "/" or white space`
	}
	decoded, err := url.PathUnescape(id)
	if err != nil {
		decoded = id
	}
	if decoded == "." || decoded == ".." {
		return fmt.Sprintf("%q names the collection above in a URL", id)
	}
	return ""
}

// graphIDValidator checks a conversation or thread id attribute with
// graphIDProblem when Terraform validates the configuration.
func graphIDValidator(what string) validator.String {
	return graphIDAttributeValidator{what: what}
}

type graphIDAttributeValidator struct{ what string }

func (v graphIDAttributeValidator) Description(context.Context) string {
	return "must be a " + v.what + ` id as Graph returns it, without "/" or white space, and not "." or ".."`
}

func (v graphIDAttributeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v graphIDAttributeValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if graphIDProblem(req.ConfigValue.ValueString()) != "" {
		resp.Diagnostics.Append(validatordiag.InvalidAttributeValueMatchDiagnostic(req.Path, v.Description(ctx), req.ConfigValue.ValueString()))
	}
}
