package emulator

import (
	"net/http"
	"net/url"
	"strings"
)

// endpoint is the shape of a recognised path, independent of the verb.
type endpoint int

const (
	epGroups endpoint = iota + 1
	epGroup
	epConversations
	epConversation
	epThreads
	epThread
	epThreadReply
	epPosts
	epPost
	epPostReply
	epPostForward
	epPostExtensions
	epPostExtension
)

// route is a parsed path. Ids are percent-decoded but otherwise exactly as
// sent; conversation, thread and post ids compare case-sensitively.
type route struct {
	endpoint       endpoint
	groupID        string
	conversationID string // set when the path goes through /conversations/{cid}
	threadID       string
	postID         string
	extensionID    string
}

// inMailbox reports whether the path is under /groups/{id}/..., which is
// served by the group mailbox and subject to its concurrency limit.
func (r route) inMailbox() bool {
	return r.endpoint >= epConversations
}

// operation is what a verb does on an endpoint. A nil handle marks a verb the
// service knows but refuses with 405 (PATCH conversation, POST posts, PATCH
// or DELETE post); it still has its own counter kind where one is defined.
type operation struct {
	kind   string
	handle func(*Server, *call) *apiError
}

var operations = map[endpoint]map[string]operation{
	epGroups: {
		http.MethodGet:  {"groups.list", (*Server).listGroups},
		http.MethodPost: {"groups.create", (*Server).createGroup},
	},
	epGroup: {
		http.MethodGet:    {"groups.get", (*Server).getGroup},
		http.MethodDelete: {"groups.delete", (*Server).deleteGroup},
	},
	epConversations: {
		http.MethodGet:  {"conversations.list", (*Server).listConversations},
		http.MethodPost: {"conversations.create", (*Server).createConversation},
	},
	epConversation: {
		http.MethodGet:    {"conversations.get", (*Server).getConversation},
		http.MethodDelete: {"conversations.delete", (*Server).deleteConversation},
		http.MethodPatch:  {"conversations.update", nil},
	},
	epThreads: {
		http.MethodGet:  {"threads.list", (*Server).listThreads},
		http.MethodPost: {"threads.create", (*Server).createThread},
	},
	epThread: {
		http.MethodGet:    {"threads.get", (*Server).getThread},
		http.MethodPatch:  {"threads.update", (*Server).updateThread},
		http.MethodDelete: {"threads.delete", (*Server).deleteThread},
	},
	epThreadReply: {
		http.MethodPost: {"threads.reply", (*Server).replyToThread},
	},
	epPosts: {
		http.MethodGet:  {"posts.list", (*Server).listPosts},
		http.MethodPost: {"other", nil},
	},
	epPost: {
		http.MethodGet:    {"posts.get", (*Server).getPost},
		http.MethodPatch:  {"other", nil},
		http.MethodDelete: {"other", nil},
	},
	epPostReply: {
		http.MethodPost: {"posts.reply", (*Server).replyToPost},
	},
	epPostForward: {
		http.MethodPost: {"posts.forward", (*Server).forwardPost},
	},
	// A post takes stamps only in the request that creates it (stamps.go).
	epPostExtensions: {
		http.MethodGet:  {"posts.extensions.list", (*Server).listPostExtensions},
		http.MethodPost: {"posts.extensions.create", nil},
	},
	epPostExtension: {
		http.MethodGet:    {"posts.extensions.get", (*Server).getPostExtension},
		http.MethodPatch:  {"posts.extensions.update", nil},
		http.MethodDelete: {"posts.extensions.delete", nil},
	},
}

// allowedMethods lists the verbs an endpoint serves, for the Allow header.
func allowedMethods(ep endpoint) string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		if op, ok := operations[ep][m]; ok && op.handle != nil {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}

// methodNotAllowed is the 405 for a verb an endpoint does not serve. Mailbox
// routes answer the Exchange way, /groups routes the directory way.
func methodNotAllowed(ep endpoint) *apiError {
	if ep == epGroups || ep == epGroup {
		return errDirectoryMethodNotAllowed(allowedMethods(ep))
	}
	return errODataNotSupported(allowedMethods(ep))
}

// parseRoute splits the escaped path on '/' before decoding each segment, so
// an id may carry its '=' padding raw or as %3D (and any other character
// percent-encoded) without a decoded '/' ever splitting a segment. Segment
// names match case-insensitively, as they do on Graph.
func parseRoute(escapedPath string) (route, *apiError) {
	rawSegments := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if n := len(rawSegments); n > 1 && rawSegments[n-1] == "" {
		rawSegments = rawSegments[:n-1] // tolerate one trailing slash
	}
	segments := make([]string, len(rawSegments))
	for i, raw := range rawSegments {
		decoded, err := url.PathUnescape(raw)
		if err != nil {
			return route{}, errBadRequest("The request URI is not valid: a path segment is not correctly percent-encoded.")
		}
		segments[i] = decoded
	}
	if segments[0] != "v1.0" {
		return route{}, errBadRequest("Invalid version: only /v1.0 is served by this emulator.")
	}
	p := pathReader{segments: segments[1:]}
	var r route
	if !p.next("groups") {
		return route{}, p.notFound()
	}
	if p.done() {
		r.endpoint = epGroups
		return r, nil
	}
	r.groupID = p.take()
	if p.done() {
		r.endpoint = epGroup
		return r, nil
	}
	if p.next("conversations") {
		if p.done() {
			r.endpoint = epConversations
			return r, nil
		}
		r.conversationID = p.take()
		if p.done() {
			r.endpoint = epConversation
			return r, nil
		}
	}
	if !p.next("threads") {
		return route{}, p.notFound()
	}
	if p.done() {
		r.endpoint = epThreads
		return r, nil
	}
	r.threadID = p.take()
	if p.done() {
		r.endpoint = epThread
		return r, nil
	}
	if p.next("reply") {
		r.endpoint = epThreadReply
		return r, p.end()
	}
	if !p.next("posts") {
		return route{}, p.notFound()
	}
	if p.done() {
		r.endpoint = epPosts
		return r, nil
	}
	r.postID = p.take()
	switch {
	case p.done():
		r.endpoint = epPost
		return r, nil
	case p.next("reply"):
		r.endpoint = epPostReply
	case p.next("forward"):
		r.endpoint = epPostForward
	case p.next("extensions"):
		if p.done() {
			r.endpoint = epPostExtensions
			return r, nil
		}
		r.extensionID = p.take()
		r.endpoint = epPostExtension
	default:
		return route{}, p.notFound()
	}
	return r, p.end()
}

// pathReader walks decoded path segments.
type pathReader struct {
	segments []string
	pos      int
	// last is the segment most recently looked at, named in "Resource not
	// found for the segment" errors.
	last string
}

func (p *pathReader) done() bool { return p.pos >= len(p.segments) }

// next consumes the segment if it is the given name.
func (p *pathReader) next(name string) bool {
	if p.done() {
		return false
	}
	p.last = p.segments[p.pos]
	if !strings.EqualFold(p.last, name) {
		return false
	}
	p.pos++
	return true
}

// take consumes an id segment. An empty one, from "//", is passed on and
// fails id validation like any other malformed id.
func (p *pathReader) take() string {
	s := p.segments[p.pos]
	p.pos++
	p.last = s
	return s
}

// end reports an error when segments are left after an action such as
// "reply".
func (p *pathReader) end() *apiError {
	if p.done() {
		return nil
	}
	return errSegmentNotFound(p.segments[p.pos])
}

func (p *pathReader) notFound() *apiError {
	if !p.done() {
		return errSegmentNotFound(p.segments[p.pos])
	}
	return errSegmentNotFound(p.last)
}
