package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The hostile-server suite: Graph layer calls against small servers on
// loopback that answer like Graph and then misbehave, one test per row of
// the security test that found them (issue 14), and the behaviours that
// already held, as regressions. The bearer token is a distinctive canary,
// looked for everywhere it must not go.

const (
	canaryToken   = "eyJ0eXAiOiJKV1QifQ.hostile-canary-token.c2lnbmF0dXJl"
	hostileGroup  = "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10"
	hostileConvID = "AAQkADhostile="
)

// hostileServer is one misbehaving endpoint. It records what reached it.
type hostileServer struct {
	*httptest.Server
	endpoint string
	mu       sync.Mutex
	requests []seenRequest
}

type seenRequest struct {
	method, path, rawQuery, authorization string
}

// newHostileServer serves handle at /v1.0; tls serves it over https with a
// certificate the client built by hostileClient trusts.
func newHostileServer(t *testing.T, tls bool, handle func(s *hostileServer, w http.ResponseWriter, r *http.Request)) *hostileServer {
	t.Helper()
	s := &hostileServer{}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, seenRequest{method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery,
			authorization: r.Header.Get("Authorization")})
		s.mu.Unlock()
		w.Header().Set("request-id", fmt.Sprintf("hostile-request-%d", s.count()))
		handle(s, w, r)
	})
	if tls {
		s.Server = httptest.NewTLSServer(handler)
	} else {
		s.Server = httptest.NewServer(handler)
	}
	t.Cleanup(s.Close)
	s.endpoint = s.URL + "/v1.0"
	return s
}

func (s *hostileServer) seen() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.requests...)
}

func (s *hostileServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// sawToken reports whether any request to s carried the canary.
func (s *hostileServer) sawToken() bool {
	for _, r := range s.seen() {
		if strings.Contains(r.authorization, canaryToken) {
			return true
		}
	}
	return false
}

// hostileClient is a Client for endpoint with the canary token and short
// waits. A TLS server's certificate is trusted through its transport.
func hostileClient(t *testing.T, endpoint string, transport http.RoundTripper) *Client {
	t.Helper()
	c, err := NewClient(Options{Endpoint: endpoint, Credential: StaticToken(canaryToken), Transport: transport,
		RetryBaseDelay: 10 * time.Millisecond, VisibilityGrace: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hostileContext bounds a call. On the code before issue 14 several rows
// ran to their deadline; the tests count requests rather than time them.
func hostileContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// graphError returns err as a *Error, failing the test when it is not one.
func graphError(t *testing.T, err error) *Error {
	t.Helper()
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("want a *graph.Error, got %T %v", err, err)
	}
	return ge
}

// wantFailure checks that err is a *Error of the given failure, naming
// wantText, without the token.
func wantFailure(t *testing.T, err error, failure Failure, wantText ...string) {
	t.Helper()
	var ge *Error
	if !errors.As(err, &ge) {
		t.Fatalf("want a *graph.Error (%s), got %T %v", failure, err, err)
	}
	if got := FailureOf(err); got != failure {
		t.Fatalf("failure %q, want %q: %v", got, failure, err)
	}
	for _, text := range wantText {
		if !strings.Contains(err.Error(), text) {
			t.Fatalf("error %q does not say %q", err, text)
		}
	}
	if strings.Contains(err.Error(), canaryToken) {
		t.Fatalf("the error carries the token: %v", err)
	}
}

func conversationsPath() string { return "/v1.0/groups/" + hostileGroup + "/conversations" }

// Row 1: a nextLink to another port of the endpoint's host, or to plain
// http, got the token, as the allowed-hosts check compared host names only.
// Now the token goes to the endpoint's exact origin and the listing refuses
// such a link.
func TestHostile_Row1_NextLinkToAnotherPortGetsNoToken(t *testing.T) {
	t.Parallel()
	other := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"value":[]}`)
	})
	otherPort := other.Listener.Addr().(*net.TCPAddr).Port
	endpoint := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="}],"@odata.nextLink":"http://127.0.0.1:%d%s?$skip=1"}`, otherPort, conversationsPath()))
	})
	c := hostileClient(t, endpoint.endpoint, nil)
	_, err := c.ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
	if other.sawToken() {
		t.Fatal("the token went to another port of the endpoint's host")
	}
	wantFailure(t, err, FailureBadAnswer, "leads away from the endpoint", "hostile-request-1")
	if n := other.count(); n != 0 {
		t.Fatalf("the link to another origin was followed (%d requests)", n)
	}
}

func TestHostile_Row1_NextLinkFromHTTPSToHTTPGetsNoToken(t *testing.T) {
	t.Parallel()
	plain := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"value":[]}`)
	})
	plainPort := plain.Listener.Addr().(*net.TCPAddr).Port
	secure := newHostileServer(t, true, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="}],"@odata.nextLink":"http://127.0.0.1:%d%s?$skip=1"}`, plainPort, conversationsPath()))
	})
	c := hostileClient(t, secure.endpoint, secure.Client().Transport)
	_, err := c.ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
	if plain.sawToken() {
		t.Fatal("the token went out over plain http")
	}
	wantFailure(t, err, FailureBadAnswer, "leads away from the endpoint")
	if !secure.sawToken() {
		t.Fatal("the endpoint itself got no token; the test proves nothing")
	}
}

// Row 2: {"value":[null]} panicked in msgraph-sdk-go-core's page iterator,
// mid-apply. Every list now goes through listAll, which refuses the page.
func TestHostile_Row2_NullListItem(t *testing.T) {
	t.Parallel()
	lists := map[string]func(c *Client, ctx context.Context) error{
		"conversations": func(c *Client, ctx context.Context) error {
			_, err := c.ListConversations(ctx, hostileGroup)
			return err
		},
		"posts": func(c *Client, ctx context.Context) error {
			_, err := c.ListThreadPosts(ctx, hostileGroup, hostileConvID, "AAQkADthread=")
			return err
		},
		"threads": func(c *Client, ctx context.Context) error {
			_, err := c.ListConversationThreads(ctx, hostileGroup, hostileConvID)
			return err
		},
		"groups": func(c *Client, ctx context.Context) error {
			_, err := c.FindGroups(ctx, GroupDisplayName, "Marketing")
			return err
		},
	}
	for name, list := range lists {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, `{"value":[null]}`)
			})
			err := list(hostileClient(t, s.endpoint, nil), hostileContext(t, 10*time.Second))
			wantFailure(t, err, FailureBadAnswer, "item 0 of page 1 of the list is null")
			if ge := graphError(t, err); ge.RequestID != "hostile-request-1" {
				t.Fatalf("the error names request-id %q, want the page's", ge.RequestID)
			}
		})
	}
}

// Row 3 (memory): see hostile_memory_test.go. Row 3 (time): a nextLink
// pointing at its own page ran 1351 pages to the 5-minute deadline.
func TestHostile_Row3_NextLinkToItself(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(s *hostileServer, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD%d="}],"@odata.nextLink":"%s%s"}`, s.count(), s.URL, r.URL.RequestURI()))
	})
	_, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
	if n := s.count(); n > 2 {
		t.Fatalf("a self-referencing nextLink was followed %d times", n)
	}
	wantFailure(t, err, FailureBadAnswer, "leads back to a page already listed")
}

// Row 3 (time): links that differ every time end at maxPagesPerListing.
func TestHostile_Row3_EndlessDistinctPages(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(s *hostileServer, w http.ResponseWriter, _ *http.Request) {
		n := s.count()
		writeJSON(w, 200, fmt.Sprintf(`{"value":[],"@odata.nextLink":"%s%s?$skip=%d"}`, s.URL, conversationsPath(), n))
	})
	_, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, time.Minute), hostileGroup)
	if n := s.count(); n != maxPagesPerListing {
		t.Fatalf("%d pages requested, want %d", n, maxPagesPerListing)
	}
	wantFailure(t, err, FailureBadAnswer, fmt.Sprintf("past %d pages", maxPagesPerListing))
}

// Row 4: ids "." and ".." went into URLs as raw path segments; through a
// front end that resolves dot segments, DELETE …/conversations/.. deleted
// the group. Nothing with such a segment is sent now, whatever the id came
// from; a listing refuses such ids, and a read refuses an object other than
// the one asked for.
func TestHostile_Row4_DotIDsAreNeverSent(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	c := hostileClient(t, s.endpoint, nil)
	ctx := hostileContext(t, 10*time.Second)
	calls := map[string]func() error{
		"delete conversation ..": func() error { return c.DeleteConversation(ctx, hostileGroup, "..") },
		"delete conversation .":  func() error { return c.DeleteConversation(ctx, hostileGroup, ".") },
		"delete conversation ''": func() error { return c.DeleteConversation(ctx, hostileGroup, "") },
		"delete thread ..":       func() error { return c.DeleteThread(ctx, hostileGroup, hostileConvID, "..") },
		"delete thread in ..":    func() error { return c.DeleteThread(ctx, hostileGroup, "..", "AAQkADthread=") },
		"read conversation ..": func() error {
			_, err := c.GetConversation(ctx, hostileGroup, "..")
			return err
		},
		"lock thread .": func() error { return c.SetThreadLocked(ctx, hostileGroup, hostileConvID, ".", true) },
		"group ..": func() error {
			_, err := c.GetGroup(ctx, "..")
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if n := s.count(); n != 0 {
			t.Fatalf("%s: %d requests reached the server: %+v", name, n, s.seen())
		}
		wantFailure(t, err, FailureRefused, "is not a name or an id")
	}
}

func TestHostile_Row4_ListedDotIDsAreRefused(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"..", ".", ""} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="},{"id":%q}]}`, id))
			})
			_, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
			wantFailure(t, err, FailureBadAnswer, "item 1 of page 1 of the list")
		})
	}
}

func TestHostile_Row4_ReadBackMustBeTheObjectAskedFor(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/threads/"):
			writeJSON(w, 200, `{"id":"AAQkADotherthread=","topic":"t"}`)
		case strings.Contains(r.URL.Path, "/conversations/"):
			writeJSON(w, 200, `{"id":"AAQkADother=","topic":"t"}`)
		default:
			writeJSON(w, 200, `{"id":"11111111-2222-3333-4444-555555555555","displayName":"Other"}`)
		}
	})
	c := hostileClient(t, s.endpoint, nil)
	ctx := hostileContext(t, 10*time.Second)
	_, err := c.GetConversation(ctx, hostileGroup, hostileConvID)
	wantFailure(t, err, FailureBadAnswer, `conversation "AAQkADother=" when asked for "AAQkADhostile="`, "hostile-request-")
	_, err = c.GetThread(ctx, hostileGroup, hostileConvID, "AAQkADthread=")
	wantFailure(t, err, FailureBadAnswer, `thread "AAQkADotherthread=" when asked for`)
	_, err = c.GetGroup(ctx, hostileGroup)
	wantFailure(t, err, FailureBadAnswer, "group \"11111111-2222-3333-4444-555555555555\" when asked for")
}

// Row 5: a DELETE answered with a redirect, or 200 with an HTML sign-in
// page, was taken as done ("Destruction complete") while the conversation
// still existed. Only 204, 200 with JSON and 404 count now.
func TestHostile_Row5_DeleteNotDone(t *testing.T) {
	t.Parallel()
	answers := map[string]func(w http.ResponseWriter){
		"302": func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://login.example/sign-in")
			w.WriteHeader(http.StatusFound)
		},
		"307": func(w http.ResponseWriter) {
			w.Header().Set("Location", "/v1.0/elsewhere")
			w.WriteHeader(http.StatusTemporaryRedirect)
		},
		"200 html": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, "<html><body>Sign in to continue</body></html>")
		},
		"200 empty": func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) },
		"202":       func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted) },
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { answer(w) })
			err := hostileClient(t, s.endpoint, nil).DeleteConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
			if err == nil || IsNotFound(err) {
				t.Fatalf("a DELETE answered %s counted as done: %v", name, err)
			}
			wantFailure(t, err, FailureBadAnswer, "hostile-request-1")
			if n := s.count(); n != 1 {
				t.Fatalf("%d requests, want 1: an answer that cannot succeed is not retried", n)
			}
		})
	}
}

// What does count as a delete: 204, 200 with JSON, and 404.
func TestHostile_Row5_DeleteDone(t *testing.T) {
	t.Parallel()
	answers := map[string]func(w http.ResponseWriter){
		"204":      func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) },
		"200 json": func(w http.ResponseWriter) { writeJSON(w, 200, `{}`) },
		"404": func(w http.ResponseWriter) {
			writeJSON(w, 404, `{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}`)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { answer(w) })
			err := hostileClient(t, s.endpoint, nil).DeleteConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
			if err != nil && !IsNotFound(err) {
				t.Fatalf("a DELETE answered %s failed: %v", name, err)
			}
		})
	}
}

// Row 6: Retry-After of 99999999999, 1e300 or Inf overflowed into a
// negative wait: 454 requests in 20 s. Now the wait saturates, is not
// started because it outlives the deadline, and the error says how long
// Graph asked to wait.
func TestHostile_Row6_RetryAfterOverflow(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"99999999999", "1e300", "Inf", "1e400"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", value)
				writeJSON(w, 429, `{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}`)
			})
			_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 5*time.Second), hostileGroup, hostileConvID)
			var ge *Error
			if !errors.As(err, &ge) || ge.StatusCode != 429 || ge.Attempts != 1 {
				t.Fatalf("want one attempt answered 429, got %#v", err)
			}
			if !strings.Contains(err.Error(), "Graph asked to wait") || !strings.Contains(err.Error(), "Retry-After: "+value) {
				t.Fatalf("the error does not say how long Graph asked to wait: %v", err)
			}
			if n := s.count(); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
		})
	}
}

// Row 7: a relative or file: nextLink was retried with backoff until the
// deadline. A link that cannot be followed now ends the listing at once.
func TestHostile_Row7_UnfollowableNextLink(t *testing.T) {
	t.Parallel()
	for _, link := range []string{"/v1.0/groups/x/conversations?$skip=1", "file:///etc/passwd", "mailto:a@b.example", "http://[::1", "//127.0.0.1/x"} {
		t.Run(link, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="}],"@odata.nextLink":%q}`, link))
			})
			transport := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
			_, err := hostileClient(t, s.endpoint, transport).ListConversations(hostileContext(t, 5*time.Second), hostileGroup)
			if n := transport.sent.Load(); n != 1 {
				t.Fatalf("%d round trips, want 1: the first page's, and no attempt to follow the link", n)
			}
			wantFailure(t, err, FailureBadAnswer, "@odata.nextLink of page 1")
		})
	}
}

// Row 9: an error message echoing the Authorization header put the token
// into Terraform's output; a 5 MB message was printed whole.
func TestHostile_Row9_ErrorTextIsCutAndRedacted(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 5<<20)
	answers := map[string]func(w http.ResponseWriter, r *http.Request){
		"echoed header in the message": func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 400, fmt.Sprintf(`{"error":{"code":"BadRequest","message":"Bad header: Authorization: %s"}}`, r.Header.Get("Authorization")))
		},
		"echoed header, JSON-escaped, in the message": func(w http.ResponseWriter, r *http.Request) {
			escaped := ""
			for _, c := range bearerToken(r.Header.Get("Authorization")) {
				escaped += fmt.Sprintf(`\u%04x`, c)
			}
			writeJSON(w, 400, `{"error":{"code":"BadRequest","message":"Bad token: `+escaped+`"}}`)
		},
		"echoed header, partly escaped, in the message": func(w http.ResponseWriter, r *http.Request) {
			token := bearerToken(r.Header.Get("Authorization"))
			writeJSON(w, 400, fmt.Sprintf(`{"error":{"code":"BadRequest","message":"Bad token: \u%04x%s"}}`, token[0], token[1:]))
		},
		"echoed token in the code and request-id": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("request-id", bearerToken(r.Header.Get("Authorization")))
			writeJSON(w, 400, fmt.Sprintf(`{"error":{"code":"%s","message":"m"}}`, bearerToken(r.Header.Get("Authorization"))))
		},
		"5 MB message": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 400, `{"error":{"code":"BadRequest","message":"`+huge+`"}}`)
		},
		"5 MB code": func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 400, `{"error":{"code":"`+huge+`","message":"m"}}`)
		},
		"redirect echoing the token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "https://elsewhere.example/?t="+bearerToken(r.Header.Get("Authorization"))+huge)
			w.WriteHeader(http.StatusFound)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, r *http.Request) { answer(w, r) })
			_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
			ge := graphError(t, err)
			text := err.Error()
			for _, field := range []string{text, ge.Code, ge.Message, ge.RequestID, ge.ClientRequestID} {
				if strings.Contains(field, canaryToken) {
					t.Fatalf("the error carries the token: %.300s", field)
				}
				if len(field) > 3*maxGraphTextBytes {
					t.Fatalf("the error holds %d bytes of Graph's text", len(field))
				}
			}
		})
	}
}

// Row 10: list items without an id, items that are not objects, and ids
// listed twice were accepted: a data source returned id = "" and
// duplicates.
func TestHostile_Row10_BadListItems(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"no id":       `{"value":[{"id":"AAQkAD1="},{"topic":"no id"}]}`,
		"null id":     `{"value":[{"id":"AAQkAD1="},{"id":null}]}`,
		"number":      `{"value":[{"id":"AAQkAD1="},1]}`,
		"string":      `{"value":[{"id":"AAQkAD1="},"AAQkAD2="]}`,
		"array":       `{"value":[{"id":"AAQkAD1="},[]]}`,
		"numeric id":  `{"value":[{"id":"AAQkAD1="},{"id":5}]}`,
		"value isn't": `{"value":{"id":"AAQkAD1="}}`,
	}
	for name, body := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, body) })
			got, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
			if err == nil {
				t.Fatalf("a list of %s was accepted: %+v", name, got)
			}
			wantFailure(t, err, FailureBadAnswer, "hostile-request-1")
			if n := s.count(); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
		})
	}

	t.Run("duplicates are kept once", func(t *testing.T) {
		t.Parallel()
		s := newHostileServer(t, false, func(s *hostileServer, w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("$skip") == "" {
				writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="},{"id":"AAQkAD2="},{"id":"AAQkAD1="}],"@odata.nextLink":"%s%s?$skip=3"}`, s.URL, conversationsPath()))
				return
			}
			writeJSON(w, 200, `{"value":[{"id":"AAQkAD2="},{"id":"AAQkAD3="},{"id":"aaqkad3="}]}`)
		})
		got, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, cv := range got {
			ids = append(ids, cv.ID)
		}
		if want := "AAQkAD1= AAQkAD2= AAQkAD3= aaqkad3="; strings.Join(ids, " ") != want {
			t.Fatalf("listed %v, want %s (Exchange ids are case-sensitive)", ids, want)
		}
	})
}

// countingTransport counts the round trips that reach the network.
type countingTransport struct {
	next http.RoundTripper
	sent atomic.Int32
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.sent.Add(1)
	return c.next.RoundTrip(req)
}

// Row 11: an endpoint that cannot be reached (emulator stopped, wrong port,
// DNS failure) was retried for minutes, 18 attempts for a data source.
// Now it is retried briefly, and the error says what could not be reached,
// with a hint when the endpoint is on this machine.
func TestHostile_Row11_UnreachableEndpoint(t *testing.T) {
	t.Parallel()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedEndpoint := "http://" + listener.Addr().String() + "/v1.0"
	_ = listener.Close()

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		transport := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
		_, err := hostileClient(t, closedEndpoint, transport).ListConversations(hostileContext(t, 5*time.Second), hostileGroup)
		if n := transport.sent.Load(); n != maxUnreachableAttempts {
			t.Fatalf("%d attempts, want %d", n, maxUnreachableAttempts)
		}
		wantFailure(t, err, FailureUnreachable, "could not reach "+closedEndpoint+": ", "connection refused", "is the Graph emulator running")
		if ge := graphError(t, err); ge.Attempts != maxUnreachableAttempts {
			t.Fatalf("the error reports %d attempts, want %d", ge.Attempts, maxUnreachableAttempts)
		}
		if FailureOf(err).MayHaveReachedGraph() {
			t.Fatal("an unreachable endpoint is reported as possibly reached")
		}
	})
	t.Run("name does not resolve", func(t *testing.T) {
		t.Parallel()
		var sent atomic.Int32
		transport := roundTripFunc(func(*http.Request) (*http.Response, error) {
			sent.Add(1)
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "graph.contoso.example", IsNotFound: true}}
		})
		_, err := hostileClient(t, "https://graph.contoso.example/v1.0", transport).
			CreateConversation(hostileContext(t, 5*time.Second), hostileGroup, NewConversation{Topic: "t", Body: ItemBody{Content: "x"}})
		if n := sent.Load(); n != maxUnreachableAttempts {
			t.Fatalf("%d attempts, want %d", n, maxUnreachableAttempts)
		}
		wantFailure(t, err, FailureUnreachable, "could not reach https://graph.contoso.example/v1.0: ", "no such host")
		if strings.Contains(err.Error(), "emulator") {
			t.Fatalf("the emulator hint is for loopback endpoints only: %v", err)
		}
	})
	t.Run("TLS failure is not retried", func(t *testing.T) {
		t.Parallel()
		s := newHostileServer(t, true, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, `{"value":[]}`) })
		transport := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
		_, err := hostileClient(t, s.endpoint, transport).ListConversations(hostileContext(t, 5*time.Second), hostileGroup)
		if n := transport.sent.Load(); n != 1 {
			t.Fatalf("%d attempts, want 1", n)
		}
		wantFailure(t, err, FailureTLS, "TLS handshake with "+s.endpoint)
	})
}

// Held before issue 14, kept as regressions.

func TestHostile_Held_NextLinkToAnotherHostGetsNoToken(t *testing.T) {
	t.Parallel()
	other := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"value":[]}`)
	})
	port := other.Listener.Addr().(*net.TCPAddr).Port
	endpoint := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, fmt.Sprintf(`{"value":[{"id":"AAQkAD1="}],"@odata.nextLink":"http://localhost:%d%s?$skip=1"}`, port, conversationsPath()))
	})
	_, _ = hostileClient(t, endpoint.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup)
	if other.sawToken() {
		t.Fatal("the token went to another host")
	}
}

func TestHostile_Held_RedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	target := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, `{"id":"AAQkADhostile=","topic":"t"}`)
	})
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	})
	_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, hostileConvID)
	if err == nil {
		t.Fatal("a redirect was taken as an answer")
	}
	if n := target.count(); n != 0 {
		t.Fatalf("the redirect was followed (%d requests)", n)
	}
}

// The logs never held the Authorization header; they did hold a request-id
// header as the endpoint sent it, so one echoing the token put it into the
// DEBUG log (found while writing this suite).
func TestHostile_Held_NoTokenInLogs(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("request-id", r.Header.Get("Authorization"))
		writeJSON(w, 500, fmt.Sprintf(`{"error":{"code":"x","message":"echo %s"}}`, r.Header.Get("Authorization")))
	})
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(hostileContext(t, 10*time.Second), &logs)
	_, err := hostileClient(t, s.endpoint, nil).GetConversation(ctx, hostileGroup, hostileConvID)
	if err == nil {
		t.Fatal("want an error")
	}
	if logs.Len() == 0 || !strings.Contains(logs.String(), "Graph request") {
		t.Fatalf("nothing was logged; the test proves nothing: %q", logs.String())
	}
	if strings.Contains(logs.String(), canaryToken) {
		t.Fatal("the token is in the log")
	}
}

func TestHostile_Held_PathCharactersInIDsAreEscaped(t *testing.T) {
	t.Parallel()
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 404, `{"error":{"code":"ErrorItemNotFound","message":"gone"}}`)
	})
	_, err := hostileClient(t, s.endpoint, nil).GetConversation(hostileContext(t, 10*time.Second), hostileGroup, "a/../b?c#d")
	if !IsNotFound(err) {
		t.Fatalf("want the server's 404, got %v", err)
	}
	seen := s.seen()
	if len(seen) != 1 || seen[0].path != conversationsPath()+"/a%2F..%2Fb%3Fc%23d" {
		t.Fatalf("requests %+v", seen)
	}
}

func TestHostile_Held_DeeplyNestedJSONIsRefused(t *testing.T) {
	t.Parallel()
	nested := `{"value":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`
	s := newHostileServer(t, false, func(_ *hostileServer, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, nested) })
	if _, err := hostileClient(t, s.endpoint, nil).ListConversations(hostileContext(t, 10*time.Second), hostileGroup); err == nil {
		t.Fatal("deeply nested JSON was accepted")
	}
}

func TestHostile_Held_HungServerEndsAtTheTimeouts(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s := newHostileServer(t, false, func(_ *hostileServer, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c, err := NewClient(Options{Endpoint: s.endpoint, Credential: StaticToken(canaryToken), RetryBaseDelay: 10 * time.Millisecond,
		AttemptTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetConversation(hostileContext(t, time.Second), hostileGroup, hostileConvID)
	wantFailure(t, err, FailureNoAnswer, "no answer from "+s.endpoint)
}
