package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The tests in this file hold the provider to "exactly one object per
// create, whatever Graph answers", one test per way it used to break.

// frontEnd sits between the provider and an emulator and changes answers the
// emulator would give correctly into ones the real service has been seen to
// give: a create answered with something unusable after it was applied, and
// post bodies rewritten beyond the wrapping the emulator models.
type frontEnd struct {
	emulator http.Handler
	mu       sync.Mutex
	// passCreates creates are answered by the emulator before
	// badCreateAnswers are written, one per create, instead of the
	// emulator's answer to the next creates (the create is applied).
	passCreates      int
	badCreateAnswers []func(http.ResponseWriter)
	// rewriteBody, when set, changes every post body a GET returns.
	rewriteBody func(string) string
}

// useFrontEnd routes the test's provider through fe.
func (e *testEnv) useFrontEnd(t *testing.T, fe *frontEnd) {
	t.Helper()
	fe.emulator = e.server
	server := httptest.NewServer(fe)
	t.Cleanup(server.Close)
	e.endpoint = server.URL + "/v1.0"
}

func (fe *frontEnd) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	isCreate := r.Method == http.MethodPost &&
		(strings.HasSuffix(r.URL.Path, "/conversations") || strings.HasSuffix(r.URL.Path, "/threads"))
	fe.mu.Lock()
	var bad func(http.ResponseWriter)
	switch {
	case !isCreate:
	case fe.passCreates > 0:
		fe.passCreates--
	case len(fe.badCreateAnswers) > 0:
		bad, fe.badCreateAnswers = fe.badCreateAnswers[0], fe.badCreateAnswers[1:]
	}
	rewrite := fe.rewriteBody
	fe.mu.Unlock()

	if bad == nil && (rewrite == nil || r.Method != http.MethodGet) {
		fe.emulator.ServeHTTP(w, r)
		return
	}
	recorded := httptest.NewRecorder()
	fe.emulator.ServeHTTP(recorded, r)
	if bad != nil && recorded.Code < 300 {
		bad(w)
		return
	}
	body := recorded.Body.Bytes()
	if rewrite != nil && recorded.Code == http.StatusOK {
		body = rewritePostBodies(body, rewrite)
	}
	for k, v := range recorded.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(recorded.Code)
	_, _ = w.Write(body)
}

func rewritePostBodies(data []byte, rewrite func(string) string) []byte {
	var doc map[string]any
	if json.Unmarshal(data, &doc) != nil {
		return data
	}
	items, _ := doc["value"].([]any)
	if items == nil {
		items = []any{any(doc)}
	}
	for _, item := range items {
		m, _ := item.(map[string]any)
		if b, ok := m["body"].(map[string]any); ok {
			if content, ok := b["content"].(string); ok {
				b["content"] = rewrite(content)
			}
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data
	}
	return out
}

// answer writes a fixed answer.
func answer(status int, contentType, body string, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// conversationWithThread is one conversation and one thread in it.
func (e *testEnv) conversationWithThread(topic string) string {
	return e.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %[1]q
  topic    = %[2]q
  body     = { content = "<p>Kickoff</p>" }
}

resource "msgraph_group_conversation_thread" "test" {
  group_id        = %[1]q
  conversation_id = msgraph_group_conversation.test.id
  topic           = msgraph_group_conversation.test.topic
  body            = { content = "<p>Follow-up</p>" }
}
`, e.group.ID, topic)
}

// checkConversationWithThread asserts that the group holds exactly one
// conversation, with exactly two threads: its own and the managed one.
func (e *testEnv) checkConversationWithThread() resource.TestCheckFunc {
	return func(*terraform.State) error {
		convs := e.server.Conversations(e.group.ID)
		if len(convs) != 1 {
			return fmt.Errorf("the emulator holds %d conversations, want 1", len(convs))
		}
		if n := len(convs[0].ThreadIDs); n != 2 {
			return fmt.Errorf("conversation %s holds %d threads, want 2", convs[0].ID, n)
		}
		return nil
	}
}

// A thread create whose answer is lost after Graph applied it (every second
// create: the conversation goes through, the thread's answer is dropped) is
// found by its key and adopted: one thread, no error, no duplicate on the
// next apply.
func TestAccGroupConversationThread_lostCreateAnswer(t *testing.T) {
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 2}})
	config := env.conversationWithThread("Lost answers")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					env.checkConversationWithThread(),
					func(*terraform.State) error {
						if n := env.server.Counters()["faults.dropped"]; n != 1 {
							return fmt.Errorf("%d answers were dropped, want 1", n)
						}
						return nil
					},
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: env.checkConversationWithThread(),
			},
		},
	})
}

// A thread refreshed while Exchange still answers 404 for it, seconds after
// its create, is waited for, not dropped and created again.
func TestAccGroupConversationThread_refreshRightAfterCreate(t *testing.T) {
	env := newThreadEnv(t, "Flapping thread")
	config := env.threadConfig("Flapping thread", "text", "Now you see me.", "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkThreadsDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			// The harness plans (with a refresh) right after this check and
			// fails the step if that plan is not empty.
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources[threadAddress].Primary.ID
				if !env.server.HideThread(env.group.ID, id, 2*time.Second) {
					return fmt.Errorf("thread %s not found", id)
				}
				return nil
			},
		}, {
			Config: config,
			Check:  env.checkThreadCount(2),
		}},
	})
}

// A create answered with success but nothing usable, or with a redirect, is
// searched for by its key and adopted: no error, one conversation.
func TestAccGroupConversation_unusableCreateAnswer(t *testing.T) {
	skipInLiveRun(t)
	answers := []struct {
		name   string
		answer func(http.ResponseWriter)
	}{
		{"201 without a body", answer(http.StatusCreated, "", "")},
		{"201 empty object", answer(http.StatusCreated, "application/json", "{}")},
		{"201 null id", answer(http.StatusCreated, "application/json", `{"id":null}`)},
		{"200 with an HTML page", answer(http.StatusOK, "text/html", "<html><body><h1>Service</h1></body></html>")},
		{"302 redirect", answer(http.StatusFound, "", "", "Location", "https://login.example/")},
	}
	for _, tt := range answers {
		t.Run(tt.name, func(t *testing.T) {
			env := newTestEnv(t, emulator.Options{})
			env.useFrontEnd(t, &frontEnd{badCreateAnswers: []func(http.ResponseWriter){tt.answer}})
			config := env.conversationConfig("Odd answers", "html", "<p>Once</p>", "")
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             env.checkDestroyed,
				Steps: []resource.TestStep{
					{Config: config, Check: env.checkConversationCount(1)},
					{
						Config: config,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: env.checkConversationCount(1),
					},
				},
			})
		})
	}
}

// The same for a thread: a thread create answered {} is adopted.
func TestAccGroupConversationThread_unusableCreateAnswer(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	// The conversation's create goes through; the thread's is answered {}.
	env.useFrontEnd(t, &frontEnd{passCreates: 1, badCreateAnswers: []func(http.ResponseWriter){
		answer(http.StatusCreated, "application/json", "{}"),
	}})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: env.conversationWithThread("Odd thread answer"),
			Check:  env.checkConversationWithThread(),
		}},
	})
}

// exchangeRewrite stores posted HTML the way the docs' list-posts sample
// shows it: nested divs and x_-prefixed ids, more than the emulator's
// wrapper and more than the provider unwraps.
func exchangeRewrite(content string) string {
	inner := content
	if i := strings.Index(inner, "<div>"); i >= 0 {
		inner = strings.TrimSuffix(inner[i+len("<div>"):], "</div></body></html>")
	}
	inner = strings.ReplaceAll(inner, `id="`, `id="x_`)
	return "<html><body><div><div style=\"direction:ltr;\"><table id=\"x_bodyTable\"><tr><td>" + inner +
		"</td></tr></table></div></div></body></html>"
}

// Exchange rewrites HTML beyond any wrapper the provider can undo. A create
// whose answer is lost is still found, by its key, and not made twice.
func TestAccGroupConversation_lostAnswerWithRewrittenBody(t *testing.T) {
	env := newTestEnv(t, emulator.Options{Faults: emulator.Faults{DropAfterCreateEvery: 1}})
	env.useFrontEnd(t, &frontEnd{rewriteBody: exchangeRewrite})
	config := env.conversationConfig("Rewritten", "html", `<p id="agenda">Agenda <b>inside</b></p>`, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			Check:  env.checkConversationCount(1),
		}},
	})
}

// Changing only the timeouts block applies in place and sends nothing to
// Graph.
func TestAccGroupConversation_timeoutsOnly(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	config := func(create string) string {
		return env.conversationConfig("Patient", "text", "Same post.", fmt.Sprintf(`timeouts { create = %q }`, create))
	}
	var before map[string]int
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: config("10m")},
			{
				PreConfig: func() { before = env.server.Counters() },
				Config:    config("20m"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("timeouts").AtMapKey("create"), knownvalue.StringExact("20m")),
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("preview"), knownvalue.StringExact("Same post.")),
				},
				Check: func(*terraform.State) error {
					after := env.server.Counters()
					for _, kind := range []string{"conversations.create", "conversations.delete"} {
						if after[kind] != before[kind] {
							return fmt.Errorf("a timeouts change sent %s to Graph", kind)
						}
					}
					return env.checkConversationCount(1)(nil)
				},
			},
		},
	})
}

// A body that is the same post as the imported one, reformatted (a heredoc's
// trailing newline, CRLF line ends, surrounding white space), plans nothing:
// no replacement that would delete the conversation and its replies.
func TestAccGroupConversation_reformattedBody(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	existing, err := env.server.SeedConversation(env.group.ID, "Made in Outlook",
		emulator.ItemBody{ContentType: "html", Content: "<p>Hello <b>team</b></p>\n<p>Agenda</p>"}, nil,
		emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	withBody := func(content string) string {
		return env.providerConfig(testUserToken) + fmt.Sprintf(`
import {
  to = msgraph_group_conversation.test
  id = "%s/%s"
}

resource "msgraph_group_conversation" "test" {
  group_id = %q
  topic    = "Made in Outlook"
  body = {
    content = %s
  }
}
`, env.group.ID, existing.ID, env.group.ID, content)
	}
	heredoc := "<<-EOT\n      <p>Hello <b>team</b></p>\n      <p>Agenda</p>\n    EOT"
	noChange := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionNoop)}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{Config: withBody(`"<p>Hello <b>team</b></p>\n<p>Agenda</p>"`), ConfigPlanChecks: noChange},
			{Config: withBody(heredoc), ConfigPlanChecks: noChange},
			{Config: withBody(`"  <p>Hello <b>team</b></p>\r\n<p>Agenda</p>\r\n"`), ConfigPlanChecks: noChange},
			{
				Config: withBody(`"<p>Hello <b>everyone</b></p>"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(conversationAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					if id := s.RootModule().Resources[conversationAddress].Primary.ID; id == existing.ID {
						return fmt.Errorf("a different body kept the conversation %s", id)
					}
					return env.checkConversationCount(1)(s)
				},
			},
		},
	})
}

// An empty list of recipients means none, exactly as leaving the argument
// out does: both apply, and switching between them plans nothing.
func TestAccGroupConversation_emptyRecipientLists(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	conversation := func(participants string) string {
		return env.providerConfig(testUserToken) + fmt.Sprintf(`
resource "msgraph_group_conversation" "test" {
  group_id = %[1]q
  topic    = "Nobody else"
  body     = { content = "<p>Just us</p>" }
  %[2]s
}

resource "msgraph_group_conversation_thread" "test" {
  group_id        = %[1]q
  conversation_id = msgraph_group_conversation.test.id
  topic           = msgraph_group_conversation.test.topic
  body            = { content = "<p>Still just us</p>" }
  %[3]s
}
`, env.group.ID, participants, strings.ReplaceAll(participants, "new_participants = []", "to_recipients = []\n  cc_recipients = []"))
	}
	empty := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: conversation("new_participants = []"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(conversationAddress, tfjsonpath.New("new_participants"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("to_recipients"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(threadAddress, tfjsonpath.New("cc_recipients"), knownvalue.ListSizeExact(0)),
				},
				Check: env.checkConversationWithThread(),
			},
			{Config: conversation(""), ConfigPlanChecks: empty},
			{Config: conversation("new_participants = []"), ConfigPlanChecks: empty, Check: env.checkConversationWithThread()},
		},
	})
}

// A service that refuses the idempotency key still gets each object created
// exactly once: the provider creates without the key, and a lost answer is
// then matched on content.
func TestAccGroupConversation_stampRefused(t *testing.T) {
	// The third create's answer is dropped: the refused stamped create, the
	// conversation, then the thread.
	env := newTestEnv(t, emulator.Options{RefuseCreateStamps: true, Faults: emulator.Faults{DropAfterCreateEvery: 3}})
	config := env.conversationWithThread("No stamps here")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             env.checkDestroyed,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeTestCheckFunc(
				env.checkConversationWithThread(),
				func(*terraform.State) error {
					counters := env.server.Counters()
					// One stamped create refused; then the conversation and
					// the thread, unstamped, the thread's answer dropped
					// and the thread found by its content.
					if counters["stamps.refused"] != 1 || counters["faults.dropped"] != 1 {
						return fmt.Errorf("counters %v", counters)
					}
					return nil
				},
			),
		}},
	})
}
