package graph

import (
	"net/url"
	"strings"
)

// origin is what a bearer token is bound to: a URL's scheme, host and port,
// with the port spelled out even when the URL leaves it to the scheme. Two
// URLs of the same host name are different origins when their ports or
// schemes differ: another port of the same machine may be another program,
// and http would carry the token in clear text.
type origin struct {
	scheme, host, port string
}

// originOf returns u's origin; an empty one when u is not an absolute http
// or https URL.
func originOf(u *url.URL) origin {
	if u == nil {
		return origin{}
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case scheme != "http" && scheme != "https", u.Hostname() == "":
		return origin{}
	case port == "" && scheme == "https":
		port = "443"
	case port == "":
		port = "80"
	}
	return origin{scheme: scheme, host: strings.ToLower(u.Hostname()), port: port}
}

func (o origin) valid() bool { return o.scheme != "" }

func (o origin) String() string {
	host := o.host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return o.scheme + "://" + host + ":" + o.port
}
