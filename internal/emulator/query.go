package emulator

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// queryOptions holds the OData system query options of a request.
type queryOptions struct {
	// parts keeps the raw query in order, so @odata.nextLink can repeat the
	// client's own query with only $skip changed.
	parts     []queryPart
	selected  []string // raw $select items, in request order
	hasSelect bool
	top       int
	hasTop    bool
	skip      int
	filter    string
	hasFilter bool
	expand    string
	hasExpand bool
}

type queryPart struct {
	raw  string // as sent, still percent-encoded
	name string // normalised: lowercase, without the '$'
}

// knownQueryOptions are the options whose duplicates are rejected. Graph
// accepts them with or without the '$' prefix; $expand, $orderby, $count,
// $search and $format are accepted and ignored (Exchange ignores $orderby on
// posts, microsoft-graph-docs#3496).
var knownQueryOptions = map[string]bool{
	"select": true, "top": true, "skip": true, "filter": true, "expand": true,
	"orderby": true, "count": true, "search": true, "skiptoken": true, "format": true,
}

// parseQuery reads the query string by hand rather than with url.ParseQuery so
// the original order and encoding survive for nextLink. Names arrive as
// "$select" or percent-encoded as "%24select"; both normalise to "select".
func parseQuery(rawQuery string) (queryOptions, *apiError) {
	var q queryOptions
	seen := map[string]bool{}
	for _, raw := range strings.Split(rawQuery, "&") {
		if raw == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(raw, "=")
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return q, errBadRequest("The query specified in the URI is not valid: a query parameter is not correctly percent-encoded.")
		}
		key := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "$"))
		q.parts = append(q.parts, queryPart{raw: raw, name: key})
		if !knownQueryOptions[key] {
			continue
		}
		if seen[key] {
			return q, errBadRequest(fmt.Sprintf("Query option '$%s' was specified more than once, but it must be specified at most once.", key))
		}
		seen[key] = true
		switch key {
		case "select":
			q.hasSelect = true
			for _, item := range strings.Split(value, ",") {
				if item = strings.TrimSpace(item); item != "" {
					q.selected = append(q.selected, item)
				}
			}
		case "top":
			n, err := parseNonNegative(value)
			if err != nil {
				return q, errBadRequest(fmt.Sprintf("Invalid value '%s' for $top query option found. The $top query option requires a non-negative integer value.", value))
			}
			q.top, q.hasTop = n, true
		case "skip":
			n, err := parseNonNegative(value)
			if err != nil {
				return q, errBadRequest(fmt.Sprintf("Invalid value '%s' for $skip query option found. The $skip query option requires a non-negative integer value.", value))
			}
			q.skip = n
		case "filter":
			q.filter, q.hasFilter = strings.TrimSpace(value), true
		case "expand":
			q.expand, q.hasExpand = strings.TrimSpace(value), true
		}
	}
	return q, nil
}

func parseNonNegative(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("negative value %d", n)
	}
	return n, nil
}

// entityType describes the properties $select may name. properties is the
// output order; selectOnly properties are left out unless named in $select.
type entityType struct {
	typeName   string
	directory  bool // a directory (Entra ID) type, whose errors use Request_* codes
	properties []string
	selectOnly map[string]bool
}

var (
	groupEntity = entityType{
		typeName:   "microsoft.graph.group",
		directory:  true,
		properties: []string{"id", "displayName", "mail", "mailNickname", "groupTypes", "mailEnabled", "securityEnabled"},
	}
	conversationEntity = entityType{
		typeName:   "microsoft.graph.conversation",
		properties: []string{"id", "topic", "hasAttachments", "lastDeliveredDateTime", "uniqueSenders", "preview"},
	}
	// toRecipients and ccRecipients come back only when selected (Graph's
	// docs: resources/conversationthread).
	threadEntity = entityType{
		typeName: "microsoft.graph.conversationThread",
		properties: []string{"id", "topic", "hasAttachments", "lastDeliveredDateTime", "uniqueSenders", "preview", "isLocked",
			"toRecipients", "ccRecipients"},
		selectOnly: map[string]bool{"toRecipients": true, "ccRecipients": true},
	}
	postEntity = entityType{
		typeName: "microsoft.graph.post",
		properties: []string{"id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime",
			"hasAttachments", "body", "from", "sender", "newParticipants", "conversationId", "conversationThreadId"},
	}
)

// selection is a resolved $select: canonical property names, or nil for the
// default property set.
type selection struct {
	names []string
	set   map[string]bool
}

// resolveSelect maps $select items onto the entity's properties. Names match
// case-insensitively, as Graph's do; "*" selects every property.
func resolveSelect(entity entityType, q queryOptions) (*selection, *apiError) {
	if !q.hasSelect || len(q.selected) == 0 {
		return nil, nil
	}
	sel := &selection{set: map[string]bool{}}
	add := func(name string) {
		if !sel.set[name] {
			sel.set[name] = true
			sel.names = append(sel.names, name)
		}
	}
	for _, item := range q.selected {
		if item == "*" {
			for _, p := range entity.properties {
				add(p)
			}
			continue
		}
		canonical := ""
		for _, p := range entity.properties {
			if strings.EqualFold(p, item) {
				canonical = p
				break
			}
		}
		if canonical == "" {
			return nil, errUnknownProperty(entity, item)
		}
		add(canonical)
	}
	return sel, nil
}

// project keeps the members of full that the selection asks for, in the
// entity's order. Annotations such as @odata.etag always stay, and so does id.
func project(entity entityType, full object, sel *selection) object {
	out := make(object, 0, len(full))
	for _, f := range full {
		switch {
		case strings.HasPrefix(f.name, "@"), f.name == "id":
			out = append(out, f)
		case sel == nil:
			if !entity.selectOnly[f.name] {
				out = append(out, f)
			}
		case sel.set[f.name]:
			out = append(out, f)
		}
	}
	return out
}

// contextSegment is the entity-set segment of @odata.context, which Graph
// follows with the selected properties in parentheses.
func contextSegment(set string, sel *selection) string {
	if sel == nil {
		return set
	}
	return set + "(" + strings.Join(sel.names, ",") + ")"
}

// filterClause is the single comparison "<property> <op> <literal>", the only
// $filter shape the emulator understands.
type filterClause struct {
	property string
	operator string // "eq" or "ne"
	literal  any    // string or bool
}

// parseSimpleFilter parses one comparison with a single-quoted string (a
// doubled quote stands for one quote) or a boolean literal. Anything else, including and/or, is rejected
// by the caller.
func parseSimpleFilter(s string) (filterClause, bool) {
	s = strings.TrimSpace(s)
	property, rest, ok := strings.Cut(s, " ")
	if !ok || property == "" {
		return filterClause{}, false
	}
	rest = strings.TrimLeft(rest, " ")
	operator, literal, ok := strings.Cut(rest, " ")
	if !ok {
		return filterClause{}, false
	}
	operator = strings.ToLower(operator)
	if operator != "eq" && operator != "ne" {
		return filterClause{}, false
	}
	literal = strings.TrimSpace(literal)
	switch {
	case strings.EqualFold(literal, "true"):
		return filterClause{property, operator, true}, true
	case strings.EqualFold(literal, "false"):
		return filterClause{property, operator, false}, true
	case len(literal) >= 2 && literal[0] == '\'' && literal[len(literal)-1] == '\'':
		inner := literal[1 : len(literal)-1]
		if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return filterClause{}, false
		}
		return filterClause{property, operator, strings.ReplaceAll(inner, "''", "'")}, true
	}
	return filterClause{}, false
}
