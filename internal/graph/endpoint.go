package graph

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultEndpoint is the Microsoft Graph v1.0 service root of the global cloud.
const DefaultEndpoint = "https://graph.microsoft.com/v1.0"

// ParseEndpoint checks a Graph service root. Plain http is allowed only for
// loopback hosts: a bearer token sent in clear text to any other host would be
// readable by everything on the path, so that is a configuration error rather
// than a warning.
func ParseEndpoint(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q must be an absolute http(s) URL such as %s", raw, DefaultEndpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q must not carry user information, a query or a fragment", raw)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%q uses plain http, which is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); use https", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// IsLoopbackHost reports whether host names this machine only.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
