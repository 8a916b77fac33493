// Package htmlbody is the framework type of a post body's content.
//
// Exchange stores an HTML post as a whole document, so the content a user
// wrote and the content Graph returns differ while being the same post. The
// type here makes that difference invisible to Terraform through semantic
// equality; the knowledge of Exchange's wrapping lives in internal/graph.
package htmlbody

import "github.com/seed40294029/terraform-provider-msgraph/internal/graph"

// Unwrap returns the content the poster wrote, given content as Graph
// returns it. See graph.UnwrapHTML.
func Unwrap(content string) string { return graph.UnwrapHTML(content) }
