package graph

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// A create is not idempotent, and many answers do not say whether Graph acted
// on it: a 5xx from a gateway, a redirect, a dropped connection, an attempt
// that timed out, a 2xx without a usable id. So every create stamps the first
// post it makes with a key unique to that create, and after such an answer
// the group is searched for the post carrying the key (reconcile.go): found,
// the object is adopted; not found once new objects have had time to become
// visible, the create is sent again with the same key. Only a 4xx proves
// that nothing was created, and only a request that never left this machine
// is safe to send again at once.
//
// The stamp is an open extension (openTypeExtension) on the new post. Graph
// documents two ways to put data of one's own on a new group post in the
// request that creates it; DESIGN.md ("Idempotency keys") gives the reasons
// for this one. The functions below are the only place that knows which was
// chosen: stampPost writes it, stampExpansion asks for it back, stampOf reads
// it, isStampRefusal recognises a service that refuses it.

// createStampExtension names the open extension that carries the key. The
// name is the same for every create, and the key a property inside it:
// Exchange keeps every extension name ever used in a mailbox as a named
// property, a finite resource, and asks for names that do not vary (Graph's
// docs, opentypeextension: "Outlook-specific considerations").
const createStampExtension = "Com.Github.Seed40294029.TerraformProviderMsgraph.Create"

// createStampKeyProperty is the extension's property holding the key.
const createStampKeyProperty = "createKey"

// stampPost puts key on a post that is about to be created. An empty key
// leaves the post unstamped.
func stampPost(post models.Postable, key string) {
	if key == "" {
		return
	}
	extension := models.NewOpenTypeExtension()
	name := createStampExtension
	extension.SetExtensionName(&name)
	extension.SetAdditionalData(map[string]any{createStampKeyProperty: &key})
	post.SetExtensions([]models.Extensionable{extension})
}

// stampExpansion is the $expand that makes Graph return the stamp with a
// post, the way Graph's docs (opentypeextension-get) read an extension of a
// group post back.
func stampExpansion() string {
	return "extensions($filter=id eq '" + createStampExtension + "')"
}

// stampOf returns the key a post read with stampExpansion was stamped with,
// or "".
func stampOf(post models.Postable) string {
	for _, extension := range post.GetExtensions() {
		if extension == nil {
			continue
		}
		data := extension.GetAdditionalData()
		name := stringValue(data["extensionName"])
		if typed, ok := extension.(models.OpenTypeExtensionable); ok && typed.GetExtensionName() != nil {
			name = *typed.GetExtensionName()
		}
		id := deref(extension.GetId())
		if !strings.EqualFold(name, createStampExtension) && !strings.HasSuffix(strings.ToLower(id), "."+strings.ToLower(createStampExtension)) {
			continue
		}
		if key := stringValue(data[createStampKeyProperty]); key != "" {
			return key
		}
	}
	return ""
}

// isStampRefusal reports a create refused because of its stamp: a 400 that
// names extensions (OData names the property it does not accept).
func isStampRefusal(err error) bool {
	var ge *Error
	if !errors.As(err, &ge) || ge.StatusCode != http.StatusBadRequest {
		return false
	}
	return strings.Contains(strings.ToLower(ge.Code+" "+ge.Message), "extension")
}

func stringValue(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case *string:
		return deref(s)
	}
	return ""
}

// newCreateKey returns a random key (a version 4 UUID) for one create.
func newCreateKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// noteStampsRefused makes every later create of this client go unstamped,
// and says so once.
func (c *Client) noteStampsRefused(ctx context.Context, refusal error) {
	c.stampsRefused.Store(true)
	c.stampsRefusedOnce.Do(func() {
		tflog.Warn(ctx, "Microsoft Graph refused the idempotency key on a new post; creating without it for the rest of this run. "+
			"A create whose answer is lost is then recognised by its topic, body and recipients instead", map[string]any{"error": refusal.Error()})
	})
}

// UnconfirmedCreateError is a create that Graph may or may not have carried
// out: its answer proved nothing, and the search for the object did not
// conclude either way. The object may exist.
type UnconfirmedCreateError struct {
	// Operation names the create, e.g. "create conversation".
	Operation string
	// Answer is what came back instead of a usable answer.
	Answer *Error
	// Key is the idempotency key the create was stamped with; empty when the
	// service refused stamps and the search matched on content instead.
	Key string
	// Searched reports whether the search ran at all: it does not when the
	// operation's deadline had already passed.
	Searched bool
	// Cause is why the search could not conclude.
	Cause error
}

func (e *UnconfirmedCreateError) Error() string {
	what := "was not searched for"
	if e.Searched {
		what = "could not be found or ruled out"
	}
	return fmt.Sprintf("%s: outcome unknown (%s); the object %s: %v", e.Operation, e.Answer.Error(), what, e.Cause)
}

// Unwrap returns the answer, so the caller sees Graph's status, code and
// request-id.
func (e *UnconfirmedCreateError) Unwrap() error { return e.Answer }

// createOutcome is what a create's answer proves.
type createOutcome int

const (
	// outcomeUnknown: Graph may or may not have created the object.
	outcomeUnknown createOutcome = iota
	// outcomeRefused: Graph answered 4xx; nothing was created.
	outcomeRefused
	// outcomeNotSent: the request never left this machine.
	outcomeNotSent
)

// classifyCreateAnswer tells what an answer other than a usable success
// proves. sent reports whether any attempt was let out to the transport (a
// failure to get a token, or a request the answer guard refused, stops it
// before that); status is the HTTP status of the last answer, 0 when none
// came. A 4xx proves that nothing was created; a request that could not
// reach the endpoint or failed its TLS handshake was never sent; anything
// else (a 5xx, a redirect, a dropped connection, an attempt that timed out,
// a success without a usable id) proves nothing.
func classifyCreateAnswer(sent bool, status int, err error) createOutcome {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		status = oe.ResponseStatusCode
	}
	switch {
	case !sent:
		return outcomeNotSent
	case status >= 400 && status < 500:
		return outcomeRefused
	}
	switch FailureOf(err) {
	case FailureUnreachable, FailureTLS, FailureRefused:
		return outcomeNotSent
	}
	return outcomeUnknown
}

// unusableAnswerError is a create answered with success but without an id
// the provider can use: no body, an empty object, a null id, something that
// is not JSON at all, or a redirect.
type unusableAnswerError struct {
	status int
	id     string
	cause  error
}

func (e *unusableAnswerError) Error() string {
	answer := "an answer"
	if e.status != 0 {
		answer = fmt.Sprintf("HTTP %d", e.status)
	}
	switch {
	case e.cause != nil:
		return fmt.Sprintf("Graph answered %s that could not be read: %v", answer, e.cause)
	case e.id != "":
		return fmt.Sprintf("Graph answered %s with an id that cannot be used (%q)", answer, e.id)
	}
	return fmt.Sprintf("Graph answered %s without an id", answer)
}

// usableCreatedID reports whether an id from a create's answer can be used:
// Graph's ids are URL-safe base64, so one that is empty, a path segment of
// its own, or holds a separator or white space is not an id.
func usableCreatedID(id string) bool {
	return checkID(id) == nil && !strings.ContainsFunc(id, func(r rune) bool {
		return r == '/' || r == '\\' || r == '?' || r == '#' || unicode.IsSpace(r) || unicode.IsControl(r)
	})
}

// createExactlyOnce runs one create until the object exists exactly once,
// whatever Graph answers, or ctx ends. send makes one attempt with the key to
// stamp ("" for none) and returns what Graph answered and the new object's
// id; find searches for the object a create with that key, sent at sentAt,
// may have made. Conversations and threads both come through here.
func createExactlyOnce[T any](ctx context.Context, c *Client, op string,
	send func(ctx context.Context, key string) (T, string, error),
	find func(ctx context.Context, key string, sentAt time.Time) (T, bool, error),
) (T, error) {
	var zero T
	key := c.newCreateKey()
	for {
		stamp := key
		if c.stampsRefused.Load() {
			stamp = ""
		}
		attemptCtx, answer := withAnswerRecord(ctx)
		attemptCtx, attempts := withAttemptCounter(attemptCtx)
		sentAt := time.Now()
		created, id, err := send(attemptCtx, stamp)
		sent, status := answer.outcome()
		if err == nil && usableCreatedID(id) {
			c.claimed.Store(id, true)
			return created, nil
		}
		if err == nil {
			err = &unusableAnswerError{status: status, id: id}
		} else if status >= 200 && status < 400 {
			// A success or redirect whose body could not be read.
			err = &unusableAnswerError{status: status, cause: err}
		}
		var failure *Error
		_ = errors.As(newError(op, int(attempts.Load()), err), &failure)
		switch classifyCreateAnswer(sent, status, err) {
		case outcomeRefused:
			if stamp != "" && isStampRefusal(failure) {
				c.noteStampsRefused(ctx, failure)
				continue
			}
			return zero, failure
		case outcomeNotSent:
			return zero, failure
		}
		if ctx.Err() != nil {
			return zero, &UnconfirmedCreateError{Operation: op, Answer: failure, Key: stamp, Cause: ctx.Err()}
		}
		tflog.Warn(ctx, "The answer to a create proves nothing; searching for what Graph may have created", map[string]any{
			"operation": op, "error": failure.Error(), "idempotency_key": stamp,
		})
		found, ok, err := find(ctx, stamp, sentAt)
		if err != nil {
			return zero, &UnconfirmedCreateError{Operation: op, Answer: failure, Key: stamp, Searched: true, Cause: err}
		}
		if ok {
			tflog.Info(ctx, "Graph had carried out the create; adopting what it created", map[string]any{"operation": op, "idempotency_key": stamp})
			return found, nil
		}
		tflog.Warn(ctx, "Graph did not carry out the create; sending it again", map[string]any{"operation": op, "idempotency_key": stamp})
	}
}

// retrySafeKey marks requests that may be sent again after an answer that
// proves nothing, although their method is not idempotent by definition.
type retrySafeKey struct{}

// withRetrySafe marks the requests made with ctx as safe to repeat: setting
// isLocked on a thread twice has the effect of setting it once.
func withRetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

// retrySafe reports whether the retry middleware may send req again after a
// 503, a 504 or a dropped connection.
func retrySafe(req *http.Request) bool {
	marked, _ := req.Context().Value(retrySafeKey{}).(bool)
	return marked || idempotent(req.Method)
}
