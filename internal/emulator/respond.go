package emulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// origin is the scheme and host the client used to reach this server, so
// links in answers lead back to the emulator and not to graph.microsoft.com.
func (c *call) origin() string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	host := c.r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// metadata builds an @odata.context URL.
func (c *call) metadata(fragment string) string {
	return c.origin() + "/v1.0/$metadata#" + fragment
}

// contextID escapes an id for use inside @odata.context, where Graph writes
// the '=' padding as %3D (spec §1).
func contextID(id string) string {
	return strings.ReplaceAll(url.PathEscape(id), "=", "%3D")
}

// writeCollection answers a list. It pages with $top (clamped to
// MaxPageSize) and $skip, and adds @odata.nextLink, an absolute URL repeating
// the client's query with $skip advanced, unless this is the last page. limit,
// when positive, cuts the whole collection first; see listPosts.
func (c *call) writeCollection(contextURL string, items []object, limit int) {
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	size := c.s.opts.PageSize
	if c.query.hasTop {
		size = min(c.query.top, c.s.opts.MaxPageSize)
	}
	skip := min(c.query.skip, len(items))
	end := skip + min(size, len(items)-skip)
	page := make([]object, 0, end-skip)
	page = append(page, items[skip:end]...)
	out := object{{"@odata.context", contextURL}, {"value", page}}
	// A zero page size would hand out the same link forever, so $top=0 ends
	// the listing.
	if end < len(items) && size > 0 {
		out = append(out, field{"@odata.nextLink", c.nextLink(end)})
	}
	c.writeJSON(http.StatusOK, out)
}

func (c *call) nextLink(skip int) string {
	parts := make([]string, 0, len(c.query.parts)+1)
	for _, p := range c.query.parts {
		if p.name != "skip" {
			parts = append(parts, p.raw)
		}
	}
	parts = append(parts, "$skip="+strconv.Itoa(skip))
	return c.origin() + c.r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

// lockStore runs f with the store locked. Handlers read request bodies before
// taking the lock, so a slow client cannot stall everybody else.
func (s *Server) lockStore(f func(st *store) *apiError) *apiError {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return f(s.store)
}

// requireDelegated refuses writes that Graph does not allow with an
// application token: creating conversations and threads, and replying
// (spec §2).
func (c *call) requireDelegated() *apiError {
	if c.principal.AppOnly {
		return errAccessDenied()
	}
	return nil
}
