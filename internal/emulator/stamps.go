package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// A client can stamp a new group post with data of its own in the request
// that creates it, in two documented ways (Graph's docs, v1.0):
//
//   - open extensions: "extensions": [{"@odata.type":
//     "microsoft.graph.openTypeExtension", "extensionName": "Com.Contoso.X",
//     ...custom members}] on the post (opentypeextension-post-opentypeextension.md,
//     examples 4 and 5). Read back with $expand=extensions($filter=id eq
//     '{name}') on a post or a list of posts, or GET
//     .../posts/{id}/extensions/{name} (opentypeextension-get.md);
//   - single-value extended properties: "singleValueExtendedProperties":
//     [{"id": "String {guid} Name X", "value": "..."}] on the post
//     (singlevaluelegacyextendedproperty-post-singlevalueextendedproperties.md).
//     Read back with $expand=singleValueExtendedProperties($filter=id eq
//     '{id}').
//
// The emulator stores both as given and returns them only when a read asks
// for them that way: never in a post's default properties. A post cannot
// gain a stamp once it exists: the extended-properties page says so outright
// ("You cannot create an extended property in an existing group post"), and
// posts cannot be changed at all (PATCH answers 405). The open-extension page
// does list POST .../posts/{id}/extensions for existing posts; the emulator
// refuses it too, so that a stamp it returns was always set by the request
// that created the post. Options.RefuseCreateStamps models a service that
// takes neither.

// openExtensionType is the @odata.type of an open extension.
const openExtensionType = "microsoft.graph.openTypeExtension"

// openExtensionIDPrefix is how Graph qualifies an open extension's name in
// its id when reading it back (opentypeextension-get.md, responses 1 to 5).
const openExtensionIDPrefix = "Microsoft.OutlookServices.OpenTypeExtension."

// openExtension is an open extension as stored: its name and its custom
// members, in the order the client sent them.
type openExtension struct {
	name    string
	members []extensionMember
}

type extensionMember struct {
	name  string
	value json.RawMessage
}

// extendedProperty is a single-value extended property as stored.
type extendedProperty struct{ id, value string }

// postStamps is what a create put on a new post besides its body.
type postStamps struct {
	extensions []openExtension
	properties []extendedProperty
}

func (p postStamps) empty() bool { return len(p.extensions) == 0 && len(p.properties) == 0 }

// OpenExtension is a snapshot of an open extension on a post: its name and
// its custom data, decoded from JSON.
type OpenExtension struct {
	Name string
	Data map[string]any
}

type extendedPropertyIn struct {
	ID    *string `json:"id"`
	Value *string `json:"value"`
}

// parseStamps validates the stamps of a post in a create or reply request.
func parseStamps(extensions []json.RawMessage, properties []*extendedPropertyIn) (postStamps, *apiError) {
	var out postStamps
	for _, raw := range extensions {
		ext, err := parseOpenExtension(raw)
		if err != nil {
			return postStamps{}, err
		}
		if slices.ContainsFunc(out.extensions, func(e openExtension) bool { return strings.EqualFold(e.name, ext.name) }) {
			return postStamps{}, errInvalidRequest(fmt.Sprintf("The extension '%s' is given more than once.", ext.name))
		}
		out.extensions = append(out.extensions, ext)
	}
	for _, p := range properties {
		if p == nil || p.ID == nil || strings.TrimSpace(*p.ID) == "" || p.Value == nil {
			return postStamps{}, errBadRequest("Every single-value extended property needs an id and a value.")
		}
		out.properties = append(out.properties, extendedProperty{id: *p.ID, value: *p.Value})
	}
	return out, nil
}

// parseOpenExtension reads one element of "extensions". Graph requires the
// type and a name; every other member is the client's data.
func parseOpenExtension(raw json.RawMessage) (openExtension, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return openExtension{}, errBadRequest("Every element of extensions must be a JSON object.")
	}
	var ext openExtension
	var typ string
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			return openExtension{}, errBadRequest("Unable to read an element of extensions.")
		}
		key, _ := keyTok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return openExtension{}, errBadRequest("Unable to read an element of extensions.")
		}
		switch {
		case strings.EqualFold(key, "@odata.type"):
			_ = json.Unmarshal(value, &typ)
		case strings.EqualFold(key, "extensionName"):
			_ = json.Unmarshal(value, &ext.name)
		case strings.EqualFold(key, "id"), strings.HasPrefix(key, "@"):
			// Read-only or annotations: not stored.
		default:
			ext.members = append(ext.members, extensionMember{key, value})
		}
	}
	if !strings.EqualFold(strings.TrimPrefix(typ, "#"), openExtensionType) {
		return openExtension{}, errBadRequest("Every element of extensions needs \"@odata.type\": \"" + openExtensionType + "\".")
	}
	if strings.TrimSpace(ext.name) == "" {
		return openExtension{}, errBadRequest("Every open extension needs an extensionName.")
	}
	return ext, nil
}

// refuseStamps answers a create that carries stamps the way OData refuses a
// property a type does not accept, when the server is set to refuse them.
// The wording follows OData's for unknown properties; what Exchange would
// really say is not documented ([inf]).
func (s *Server) refuseStamps(stamps postStamps) *apiError {
	if !s.refuseCreateStamps.Load() || stamps.empty() {
		return nil
	}
	property := "extensions"
	if len(stamps.extensions) == 0 {
		property = "singleValueExtendedProperties"
	}
	s.count("stamps.refused")
	return newAPIError(http.StatusBadRequest, "RequestBodyRead", fmt.Sprintf(
		"The property '%s' does not exist on type 'microsoft.graph.post'. Make sure to only use property names that are defined by the type or mark the type as open type.",
		property))
}

// matchesExtensionID reports whether id names the extension: by its name or
// by either fully qualified form Graph shows (opentypeextension-get.md). Case
// is ignored; Graph documents nothing about it ([inf]).
func (e openExtension) matchesID(id string) bool {
	id = strings.TrimSpace(id)
	for _, prefix := range []string{"", openExtensionIDPrefix, openExtensionType + "."} {
		if strings.EqualFold(id, prefix+e.name) {
			return true
		}
	}
	return false
}

func (e openExtension) json() object {
	out := object{
		{"@odata.type", "#" + openExtensionType},
		{"id", openExtensionIDPrefix + e.name},
		{"extensionName", e.name},
	}
	for _, m := range e.members {
		out = append(out, field{m.name, m.value})
	}
	return out
}

func (e openExtension) snapshot() OpenExtension {
	data := make(map[string]any, len(e.members))
	for _, m := range e.members {
		var v any
		_ = json.Unmarshal(m.value, &v)
		data[m.name] = v
	}
	return OpenExtension{Name: e.name, Data: data}
}

// postExpansion is a post's $expand: which stamps a read asks for.
type postExpansion struct {
	extensions bool
	// extensionID filters the extensions; empty means all of them.
	extensionID string
	properties  bool
	propertyID  string
	// inReplyTo expands the post replied to.
	inReplyTo bool
}

// parsePostExpand reads the $expand of a post read. The stamps and
// inReplyTo are modelled; other navigation properties (attachments) are
// accepted and not expanded, as before. Graph expands one navigation
// property of a post at a time ([inf]: every example in Graph's docs expands
// one).
func parsePostExpand(q queryOptions) (postExpansion, *apiError) {
	var out postExpansion
	if !q.hasExpand || strings.TrimSpace(q.expand) == "" {
		return out, nil
	}
	name, options, hasOptions := strings.Cut(strings.TrimSpace(q.expand), "(")
	name = strings.TrimSpace(name)
	filterID := ""
	if hasOptions {
		if !strings.HasSuffix(options, ")") {
			return out, errBadRequest(fmt.Sprintf("Invalid $expand: '%s'.", q.expand))
		}
		option, value, ok := strings.Cut(strings.TrimSuffix(options, ")"), "=")
		if !ok || !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(option), "$"), "filter") {
			return out, errBadRequest(fmt.Sprintf("Invalid $expand: '%s'; only $filter is supported inside it.", q.expand))
		}
		clause, ok := parseSimpleFilter(value)
		id, isString := clause.literal.(string)
		if !ok || !isString || clause.operator != "eq" || !strings.EqualFold(clause.property, "id") {
			return out, errUnsupportedFilter()
		}
		filterID = id
	}
	switch {
	case strings.EqualFold(name, "extensions"):
		out.extensions, out.extensionID = true, filterID
	case strings.EqualFold(name, "inReplyTo"):
		if hasOptions {
			return out, errBadRequest(fmt.Sprintf("Invalid $expand: '%s'; inReplyTo takes no options.", q.expand))
		}
		out.inReplyTo = true
	case strings.EqualFold(name, "singleValueExtendedProperties"):
		// The docs give this expansion only with a filter on the id.
		if filterID == "" {
			return out, errBadRequest("$expand=singleValueExtendedProperties needs a $filter on id.")
		}
		out.properties, out.propertyID = true, filterID
	case strings.Contains(name, ","):
		return out, errBadRequest("Expanding more than one navigation property of a post is not supported.")
	}
	return out, nil
}

// expand adds the expanded navigation properties of a stored post to its
// JSON: its stamps, or the post it replies to (null for a thread's first
// post), with that post's default properties. The caller must hold the lock.
func (x postExpansion) expand(g *groupState, p *postState, out object) object {
	if x.inReplyTo {
		var replied any
		if parent, ok := g.posts[p.post.InReplyTo]; ok && p.post.InReplyTo != "" {
			replied = postJSON(postSnapshot(parent))
		}
		out = append(out, field{"inReplyTo", replied})
	}
	if x.extensions {
		items := []object{}
		for _, e := range p.stamps.extensions {
			if x.extensionID == "" || e.matchesID(x.extensionID) {
				items = append(items, e.json())
			}
		}
		out = append(out, field{"extensions", items})
	}
	if x.properties {
		items := []object{}
		for _, prop := range p.stamps.properties {
			// The property name inside the id is case-sensitive, the rest
			// is not (singlevaluelegacyextendedproperty-get.md, beta).
			if sameExtendedPropertyID(prop.id, x.propertyID) {
				items = append(items, object{{"id", prop.id}, {"value", prop.value}})
			}
		}
		out = append(out, field{"singleValueExtendedProperties", items})
	}
	return out
}

func sameExtendedPropertyID(a, b string) bool {
	a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
	ai, bi := strings.LastIndex(a, " "), strings.LastIndex(b, " ")
	if ai < 0 || bi < 0 {
		return a == b
	}
	return strings.EqualFold(a[:ai], b[:bi]) && a[ai:] == b[bi:]
}

// getPostExtension answers GET .../posts/{id}/extensions/{name}.
func (s *Server) getPostExtension(c *call) *apiError {
	var ext openExtension
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		p, err := g.postInThread(t, c.route.postID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(p.stamps.extensions, func(e openExtension) bool { return e.matchesID(c.route.extensionID) })
		if i < 0 {
			return errItemNotFound()
		}
		ext = p.stamps.extensions[i]
		return nil
	}); err != nil {
		return err
	}
	out := object{{"@odata.context", c.metadata(c.threadsContext() + "('" + contextID(c.route.threadID) + "')/posts('" +
		contextID(c.route.postID) + "')/extensions/$entity")}}
	c.writeJSON(http.StatusOK, append(out, ext.json()...))
	return nil
}

// listPostExtensions answers GET .../posts/{id}/extensions.
func (s *Server) listPostExtensions(c *call) *apiError {
	var items []object
	if err := s.lockStore(func(st *store) *apiError {
		g, t, err := c.lookupThread(st)
		if err != nil {
			return err
		}
		p, err := g.postInThread(t, c.route.postID)
		if err != nil {
			return err
		}
		for _, e := range p.stamps.extensions {
			items = append(items, e.json())
		}
		return nil
	}); err != nil {
		return err
	}
	c.writeCollection(c.metadata(c.threadsContext()+"('"+contextID(c.route.threadID)+"')/posts('"+
		contextID(c.route.postID)+"')/extensions"), items)
	return nil
}
