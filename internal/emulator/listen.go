package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Listen serves the emulator on addr and returns its base URL including
// /v1.0, e.g. "http://127.0.0.1:43123/v1.0". addr must be a loopback address
// (127.0.0.0/8, ::1 or localhost; port 0 picks a free port). The emulator
// accepts any client that knows a token and has no TLS, so it refuses to be
// reachable from other machines.
func (s *Server) Listen(addr string) (baseURL string, err error) {
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	s.listenMu.Lock()
	defer s.listenMu.Unlock()
	if s.httpServer != nil {
		return "", errors.New("emulator: Listen called twice; Close the server first")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	// The listener's address is used rather than addr so that port 0 and the
	// name localhost turn into the concrete address clients must dial.
	baseURL = "http://" + ln.Addr().String() + "/v1.0"
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.httpServer = hs
	go func() { _ = hs.Serve(ln) }()
	return baseURL, nil
}

// Close stops what Listen started: it waits a few seconds for requests in
// flight, then closes the remaining connections. Close without Listen, or a
// second Close, does nothing.
func (s *Server) Close() error {
	s.listenMu.Lock()
	hs := s.httpServer
	s.httpServer = nil
	s.listenMu.Unlock()
	if hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		closeErr := hs.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			return closeErr
		}
		return err
	}
	return nil
}

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
