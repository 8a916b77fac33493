package emulator

import (
	"net/url"
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
// the '=' padding as %3D, as the samples in Graph's docs do.
func contextID(id string) string {
	return strings.ReplaceAll(url.PathEscape(id), "=", "%3D")
}

// writeCollection answers a directory list, paged the way the directory
// pages: $top is the page size (up to MaxPageSize) and nextLink leads on to
// the end. Mailbox lists use pageOf with the behaviour's rules instead.
func (c *call) writeCollection(contextURL string, items []object) {
	p := c.pageOf(len(items), pagingRules{})
	c.writePage(contextURL, p, items[p.start:p.end])
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
// (the permission tables of Graph's docs list no application permission).
func (c *call) requireDelegated() *apiError {
	if c.principal.AppOnly {
		return errAccessDenied()
	}
	return nil
}
