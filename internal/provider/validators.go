package provider

import (
	"regexp"

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

func graphIDValidator(what string) validator.String {
	return stringvalidator.RegexMatches(graphIDPattern, "must be a "+what+" id as Graph returns it, without \"/\" or white space")
}
