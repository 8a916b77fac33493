package provider

import (
	"fmt"
	"reflect"
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

// scenarioModes are the emulator configurations the key scenarios run
// under: Graph's docs leave each of these behaviours open, and the provider
// must be right whichever the service shows. Together they set every field
// of emulator.Behaviour away from its default
// (TestScenarioModesCoverEveryBehaviour), and add what a real service does
// besides: late visibility after a create, a refused idempotency key.
var scenarioModes = []struct {
	name string
	opts emulator.Options
}{
	{"defaults", emulator.Options{}},
	{"page cap 100, lastDeliveredDateTime filter", emulator.Options{MaxPageSize: 100,
		Behaviour: emulator.Behaviour{FilterLastDelivered: true}}},
	{"$top caps the total", emulator.Options{Behaviour: emulator.Behaviour{TopCapsTotal: true}}},
	{"odata.maxpagesize honoured, page cap 10", emulator.Options{MaxPageSize: 10,
		Behaviour: emulator.Behaviour{HonourMaxPageSizePreference: true}}},
	{"newest first", emulator.Options{Behaviour: emulator.Behaviour{ListOrder: emulator.NewestFirst, PostsOrder: emulator.NewestFirst}}},
	{"Exchange topics, sanitised HTML, text as HTML", emulator.Options{Behaviour: emulator.Behaviour{NormaliseTopics: true,
		MaxTopicLength: emulator.ExchangeMaxTopicLength, HTMLShape: emulator.HTMLSanitised, TextToHTML: true}}},
	{"message HTML, text as HTML, Exchange topics", emulator.Options{Behaviour: emulator.Behaviour{HTMLShape: emulator.HTMLMessage,
		TextToHTML: true, NormaliseTopics: true}}},
	{"a new group's mailbox late, 403 without a mailbox, late visibility, stamps refused", emulator.Options{
		InvisibleFor: 2 * time.Second * scenarioClockRate, RefuseCreateStamps: true,
		Behaviour: emulator.Behaviour{MailboxDelay: 2 * time.Second * scenarioClockRate, NonUnifiedStatus: 403}}},
}

// scenarioClockRate is how much faster than real time the scenarios'
// emulators run their clocks. Graph writes times to the second, and against
// the emulator in process Terraform creates a thread some 20 ms after its
// conversation, where against Graph a second or more passes: in the same
// second, which thread started the conversation is a tie that only the
// order Graph lists threads in breaks, which a list newest first breaks the
// wrong way. The durations of the modes are in the emulator's time.
const scenarioClockRate = 200

// fastClock is a clock that runs rate times faster than real time from now.
func fastClock(rate int) func() time.Time {
	start := time.Now()
	return func() time.Time { return start.Add(time.Duration(rate) * time.Since(start)) }
}

// A behaviour option added to the emulator without a scenario mode that
// sets it would go untested through the provider.
func TestScenarioModesCoverEveryBehaviour(t *testing.T) {
	t.Parallel()
	v := reflect.TypeOf(emulator.Behaviour{})
	for i := range v.NumField() {
		field := v.Field(i)
		covered := false
		for _, m := range scenarioModes {
			if !reflect.ValueOf(m.opts.Behaviour).Field(i).IsZero() {
				covered = true
			}
		}
		if !covered {
			t.Errorf("no scenario mode sets emulator.Behaviour.%s", field.Name)
		}
	}
}

// TestAccScenarios runs the key scenarios (create a conversation and a
// thread with the topic check, refresh with an empty plan, import each with
// an empty plan, destroy) under every scenario mode, or, in a live run,
// against the tenant. The topic carries a prefix Exchange may take off, the
// HTML body ids, classes, a link and an entity its sanitiser rewrites, the
// text body line breaks a mail store may turn into HTML.
func TestAccScenarios(t *testing.T) {
	if liveRun() {
		runScenarios(t, tenantTarget(t))
		return
	}
	for _, m := range scenarioModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			opts := m.opts
			opts.Now = fastClock(scenarioClockRate)
			runScenarios(t, emulatorTarget(t, m.name, opts))
		})
	}
}

const (
	scenarioConversation = "msgraph_group_conversation.kickoff"
	scenarioThread       = "msgraph_group_conversation_thread.followup"
	scenarioHTML         = "<div class=\"agenda main\" id=\"top\"><p>Agenda: <a href=\"https://contoso.example/agenda\">read it</a>.</p>\n" +
		"<p>Questions &amp; answers</p></div>"
	scenarioText = "Line one\nLine two & more\n"
)

func runScenarios(t *testing.T, tg *testTarget) {
	topic := tg.topic("FYI: Quarterly kickoff")
	config := tg.providerConfig + fmt.Sprintf(`
resource "msgraph_group_conversation" "kickoff" {
  group_id = %q
  topic    = %q
  body = {
    content_type = "html"
    content      = %q
  }
}

resource "msgraph_group_conversation_thread" "followup" {
  group_id        = msgraph_group_conversation.kickoff.group_id
  conversation_id = msgraph_group_conversation.kickoff.id
  topic           = msgraph_group_conversation.kickoff.topic
  body = {
    content_type = "text"
    content      = %q
  }
}
`, tg.groupID, topic, scenarioHTML, scenarioText)
	conversationImportID := func(s *terraform.State) (string, error) {
		r := s.RootModule().Resources[scenarioConversation]
		return r.Primary.Attributes["group_id"] + "/" + r.Primary.ID, nil
	}
	threadImportID := func(s *terraform.State) (string, error) {
		r := s.RootModule().Resources[scenarioThread]
		return r.Primary.Attributes["group_id"] + "/" + r.Primary.Attributes["conversation_id"] + "/" + r.Primary.ID, nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: tg.factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		CheckDestroy:             tg.checkGone,
		Steps: []resource.TestStep{
			{
				// Create: the state holds what the configuration says,
				// whatever Graph made of it, and the plan after the apply
				// is empty (the test fails otherwise).
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(scenarioConversation, tfjsonpath.New("topic"), knownvalue.StringExact(topic)),
					statecheck.ExpectKnownValue(scenarioConversation, tfjsonpath.New("body"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("html"), "content": knownvalue.StringExact(scenarioHTML),
					})),
					statecheck.ExpectKnownValue(scenarioThread, tfjsonpath.New("topic"), knownvalue.StringExact(topic)),
					statecheck.ExpectKnownValue(scenarioThread, tfjsonpath.New("body"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"content_type": knownvalue.StringExact("text"), "content": knownvalue.StringExact(scenarioText),
					})),
				},
				Check: tg.checkConversationTopics(topic),
			},
			{
				// Refresh: nothing to change.
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Import the conversation with an import block: what Graph
				// stored reads back as the configured topic and body.
				ResourceName: scenarioConversation, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: conversationImportID,
			},
			{
				ResourceName: scenarioThread, ImportState: true, ImportStateKind: resource.ImportBlockWithID,
				ImportStateIdFunc: threadImportID,
			},
		},
	})
}
