package emulator

import (
	"fmt"
	"net"
	"strings"
)

// checkLoopback refuses an address that other machines could reach (see
// Listen).
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("emulator: invalid listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("emulator: refusing to listen on %q: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed, because the emulator has no TLS and trusts any holder of a test token", addr)
	}
	return nil
}
