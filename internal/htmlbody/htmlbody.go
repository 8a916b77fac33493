// Package htmlbody is the framework type of a post body's content.
//
// Exchange stores an HTML post as a whole document, so the content a user
// wrote and the content Graph returns differ while being the same post. The
// type here makes that difference invisible to Terraform through semantic
// equality; the knowledge of how Exchange stores bodies lives in
// internal/graph (SameBodyContent, SameBody, ImportedBody).
package htmlbody
