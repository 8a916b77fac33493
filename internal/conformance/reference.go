package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The report names the emulator option that reproduces what the service
// did. Rather than restating the emulator's rules here, where they would
// drift, the probes ask the emulator itself: topics and bodies are stored in
// emulators in process, one per candidate behaviour, and scenarios the
// emulator has no option for are run, over HTTP and through the same code,
// against an emulator with its defaults.

var referencePrincipal = emulator.Principal{DisplayName: "Reference User", Address: "reference.user@contoso.example"}

// referenceGroup is an emulator in process with one Microsoft 365 group.
func referenceGroup(b emulator.Behaviour) (*emulator.Server, string) {
	srv := emulator.New(emulator.Options{Behaviour: b, Seed: 1})
	g := srv.AddGroup(emulator.Group{DisplayName: "Reference", MailNickname: "reference", Mail: "reference@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true})
	return srv, g.ID
}

// emulatorTopic is the topic the emulator with behaviour b reads back for a
// conversation created with topic, or the reason it refuses the topic.
func emulatorTopic(b emulator.Behaviour, topic string) (string, error) {
	srv, groupID := referenceGroup(b)
	conv, err := srv.SeedConversation(groupID, topic, emulator.ItemBody{ContentType: "text", Content: "x"}, nil, referencePrincipal)
	if err != nil {
		return "", err
	}
	return conv.Topic, nil
}

// emulatorBody is the first post's body the emulator with behaviour b reads
// back for a conversation created with posted.
func emulatorBody(b emulator.Behaviour, posted body) (body, error) {
	srv, groupID := referenceGroup(b)
	conv, err := srv.SeedConversation(groupID, "reference", emulator.ItemBody{ContentType: posted.ContentType, Content: posted.Content}, nil, referencePrincipal)
	if err != nil {
		return body{}, err
	}
	threads := srv.Threads(groupID, conv.ID)
	if len(threads) == 0 {
		return body{}, fmt.Errorf("the reference emulator stored no thread")
	}
	posts := srv.Posts(groupID, threads[0].ID)
	if len(posts) == 0 {
		return body{}, fmt.Errorf("the reference emulator stored no post")
	}
	return body{ContentType: posts[0].Body.ContentType, Content: posts[0].Body.Content}, nil
}

// referenceTarget is an emulator with its defaults, served on loopback, and
// a suite pointed at it.
type referenceTarget struct {
	srv   *emulator.Server
	suite *suite
}

func (r *referenceTarget) close() { _ = r.srv.Close() }

// referenceSuite returns a suite against a default emulator, started on
// first use. Scenarios run on it exactly as on the service.
func (s *suite) referenceSuite() (*suite, error) {
	if s.reference != nil {
		return s.reference.suite, nil
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	token := "reference-" + hex.EncodeToString(raw[:])
	srv := emulator.New(emulator.Options{Tokens: map[string]emulator.Principal{token: referencePrincipal}, Seed: 1})
	g := srv.AddGroup(emulator.Group{DisplayName: "Reference", MailNickname: "reference", Mail: "reference@contoso.example",
		GroupTypes: []string{"Unified"}, MailEnabled: true})
	endpoint, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("reference emulator: %w", err)
	}
	u, err := ParseEndpoint(endpoint)
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	c, err := newClient(clientOptions{endpoint: u, token: token, maxInFlight: 4, retryBase: 10 * time.Millisecond, maxRetryWait: time.Second})
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	opts := s.opts
	opts.Log, opts.Poll, opts.VisibilityWait = nil, 10*time.Millisecond, 5*time.Second
	ref := &suite{opts: opts, c: c, group: g.ID, marker: s.marker, ledger: newLedger(), report: &Report{}, user: referencePrincipal.Address}
	s.reference = &referenceTarget{srv: srv, suite: ref}
	return ref, nil
}
