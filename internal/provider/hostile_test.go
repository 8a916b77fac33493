package provider

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
	"github.com/seed40294029/terraform-provider-msgraph/internal/testfakes"
)

// Issue 14 through the provider: what a hostile or broken endpoint shows
// the user. internal/graph's hostile-server suite has a test for every row;
// these check what reaches Terraform.

// hostileProxy forwards to the emulator, except for the requests answer
// takes over (it returns false to forward).
func (e *testEnv) hostileProxy(t *testing.T, answer func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	target, err := url.Parse(e.endpoint)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !answer(w, r) {
			forward.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(server.Close)
	return server.URL + target.Path
}

func hostileProviderConfig(endpoint, token string) string {
	return fmt.Sprintf(`
provider "msgraph" {
  endpoint     = %q
  access_token = %q
}
`, endpoint, token)
}

// Row 5: a DELETE answered with a redirect (a sign-in page in front of
// Graph) was reported as "Destruction complete" while the conversation
// still existed. Now the destroy fails and the resource stays in the state.
func TestAccGroupConversation_deleteAnsweredWithRedirect(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	var redirectDeletes atomic.Bool
	endpoint := env.hostileProxy(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodDelete || !redirectDeletes.Load() {
			return false
		}
		http.Redirect(w, r, "https://login.example/sign-in", http.StatusFound)
		return true
	})
	config := hostileProviderConfig(endpoint, testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Behind a sign-in page"
  body     = { content = "<p>x</p>" }
}
`, env.group.ID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { redirectDeletes.Store(true) },
				Config:    config,
				Destroy:   true,
				ExpectError: expectError("Delete Group Conversation Failed", "Could not delete conversation",
					"Graph answered with a redirect (HTTP 302 to https://login.example/sign-in)", "attempts: 1"),
			},
			{
				PreConfig: func() {
					if n := len(env.server.Conversations(env.group.ID)); n != 1 {
						t.Fatalf("%d conversations after the refused delete, want 1", n)
					}
					redirectDeletes.Store(false)
				},
				Config: config,
				// Still in the state: nothing to do.
				PlanOnly: true,
			},
		},
	})
}

// Row 2: {"value":[null]} in a list panicked the provider mid-apply. Now
// the data source fails with an error naming the page's request-id.
func TestAccGroupConversationsDataSource_nullListItem(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	endpoint := env.hostileProxy(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/conversations") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("request-id", "hostile-page-1")
		_, _ = io.WriteString(w, `{"value":[null]}`)
		return true
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: hostileProviderConfig(endpoint, testUserToken) + fmt.Sprintf(`
data "msgraph_group_conversations" "test" {
  group_id = %q
}
`, env.group.ID),
			ExpectError: expectError("item 0 of page 1 of the list is null, not an object", "request-id: hostile-page-1"),
		}},
	})
}

// Row 11: an endpoint nobody listens on was retried for minutes. Now the
// provider says at once what it could not reach, with the emulator hint.
func TestAccGroupConversationsDataSource_unreachableEndpoint(t *testing.T) {
	skipInLiveRun(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + listener.Addr().String() + "/v1.0"
	_ = listener.Close()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: hostileProviderConfig(endpoint, testUserToken) + `
data "msgraph_group_conversations" "test" {
  group_id = "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10"
}
`,
			ExpectError: expectError("could not reach "+endpoint+":", "connection refused",
				"is the Graph emulator running", fmt.Sprintf("attempts: %d", 4)),
		}},
	})
}

// Row 9 and row 6 in a diagnostic: the token an endpoint echoes does not
// reach Terraform's output, Graph's texts are cut to a few KB, and a wait
// Graph asked for that the deadline does not allow is named.
func TestAddGraphErrorWithHostileAnswers(t *testing.T) {
	t.Parallel()
	const canary = "eyJ0eXAiOiJKV1QifQ.provider-canary-token.c2ln"
	huge := strings.Repeat("m", 5<<20)
	answers := map[string]func(w http.ResponseWriter, r *http.Request){
		"echoed Authorization header": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("request-id", r.Header.Get("Authorization"))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprintf(w, `{"error":{"code":"%s","message":"Bad request: %s"}}`, r.Header.Get("Authorization"), r.Header.Get("Authorization"))
		},
		"5 MB message": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":{"code":"BadRequest","message":"`+huge+`"}}`)
		},
		"Retry-After Inf": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "Inf")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}`)
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			server := httptest.NewServer(http.HandlerFunc(answer))
			t.Cleanup(server.Close)
			client, err := graph.NewClient(graph.Options{Endpoint: server.URL + "/v1.0", Credential: testfakes.StaticToken(canary),
				RetryBaseDelay: 10 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err = client.GetConversation(ctx, "0f6b4a42-55c4-4d33-9a9c-1d0f1a3b7e10", "AAQkAD=")
			var diags diag.Diagnostics
			addGraphError(&diags, "Read Group Conversation Failed", "Could not read conversation AAQkAD=.", err, "")
			detail := diags[0].Detail()
			if strings.Contains(detail, canary) {
				t.Fatalf("the diagnostic carries the token: %.500s", detail)
			}
			if len(detail) > 16<<10 {
				t.Fatalf("the diagnostic is %d bytes long", len(detail))
			}
			if name == "Retry-After Inf" && !strings.Contains(detail, "Graph asked to wait longer than 292 years before trying again (Retry-After: Inf)") {
				t.Fatalf("the diagnostic does not say how long Graph asked to wait:\n%s", detail)
			}
		})
	}
}
