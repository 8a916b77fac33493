package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/seed40294029/terraform-provider-msgraph/internal/emulator"
)

// The examples the guide "Adopting existing conversations" shows.
const (
	adoptionExample       = "../../examples/adoption"
	adoptionImportsHelper = "../../examples/adoption/generate-config"
)

// Version checks that say why they skip.
var (
	forEachImportCheck = skipBecause{tfversion.SkipBelow(tfversion.Version1_7_0),
		"import blocks take for_each from Terraform 1.7 and OpenTofu 1.7 on"}
	generateConfigCheck = skipBecause{tfversion.SkipBelow(tfversion.Version1_5_0),
		"import blocks and plan -generate-config-out need Terraform 1.5 or OpenTofu 1.6 or later"}
)

// skipBecause adds the reason to the skip message of a version check.
type skipBecause struct {
	check  tfversion.TerraformVersionCheck
	reason string
}

func (s skipBecause) CheckTerraformVersion(ctx context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	s.check.CheckTerraformVersion(ctx, req, resp)
	if resp.Skip != "" {
		resp.Skip += ": " + s.reason
	}
}

// A CLI too old for a test is told why it is skipped.
func TestSkipBecauseGivesTheReason(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		check tfversion.TerraformVersionCheck
		cli   tfversion.CheckTerraformVersionRequest
		want  string
	}{
		{"for_each on 1.6", forEachImportCheck, tfversion.CheckTerraformVersionRequest{TerraformVersion: tfversion.Version1_6_0},
			"import blocks take for_each from Terraform 1.7"},
		{"for_each on 1.7", forEachImportCheck, tfversion.CheckTerraformVersionRequest{TerraformVersion: tfversion.Version1_7_0}, ""},
		{"generate on 1.4", generateConfigCheck, tfversion.CheckTerraformVersionRequest{TerraformVersion: tfversion.Version1_4_0},
			"plan -generate-config-out need Terraform 1.5"},
		{"generate on 1.5", generateConfigCheck, tfversion.CheckTerraformVersionRequest{TerraformVersion: tfversion.Version1_5_0}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var resp tfversion.CheckTerraformVersionResponse
			tt.check.CheckTerraformVersion(context.Background(), tt.cli, &resp)
			switch {
			case tt.want == "" && resp.Skip != "":
				t.Fatalf("skipped: %s", resp.Skip)
			case tt.want != "" && !strings.Contains(resp.Skip, tt.want):
				t.Fatalf("skip message %q does not say %q", resp.Skip, tt.want)
			}
		})
	}
}

// adoptable is what a group looks like before it is adopted: conversations
// started in Outlook with text and HTML bodies, with and without
// participants, replies, and a locked second thread with recipients.
type adoptable struct {
	htmlWithPeople, htmlAlone, textWithPeople, textAlone emulator.Conversation
	followUp                                             emulator.Thread
	conversations, threads                               int
}

const (
	adoptedHTML = "<h1>Kickoff</h1>\n<ul>\n  <li>Budget</li>\n  <li>Hiring &amp; onboarding</li>\n</ul>\n"
	adoptedText = "Bus leaves at 8:00.\nBring \"sturdy\" shoes.\n"
)

func seedAdoptable(t *testing.T, env *testEnv) adoptable {
	t.Helper()
	adele := emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"}
	lee := emulator.Recipient{Name: "Lee Gu", Address: "lee@contoso.example"}
	seed := func(topic, contentType, content string, participants []emulator.Recipient) emulator.Conversation {
		t.Helper()
		c, err := env.server.SeedConversation(env.group.ID, topic, emulator.ItemBody{ContentType: contentType, Content: content}, participants, adele)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	var a adoptable
	a.htmlWithPeople = seed("Quarterly planning kickoff", "html", adoptedHTML, []emulator.Recipient{lee, {Address: "guest@fabrikam.example"}})
	a.htmlAlone = seed("On-call rota", "html", "<p>Reply with the weeks you <b>cannot</b> cover.</p>", nil)
	a.textWithPeople = seed("Offsite logistics", "text", adoptedText, []emulator.Recipient{{Name: "Megan Bowen", Address: "megan@contoso.example"}})
	a.textAlone = seed("Where to find the handbook", "text", "The handbook lives in the Files tab.", nil)

	first := env.server.Threads(env.group.ID, a.htmlWithPeople.ID)[0]
	if _, err := env.server.SeedReply(env.group.ID, first.ID, emulator.ItemBody{ContentType: "html", Content: "<p>Count me in.</p>"},
		[]emulator.Recipient{{Address: "late@contoso.example"}}, adele); err != nil {
		t.Fatal(err)
	}
	followUp, err := env.server.SeedThread(env.group.ID, a.htmlWithPeople.ID, emulator.ItemBody{ContentType: "html", Content: "<p>Minutes attached.</p>"},
		[]emulator.Recipient{lee}, []emulator.Recipient{{Address: "cc@contoso.example"}}, adele)
	if err != nil {
		t.Fatal(err)
	}
	env.server.SetThreadLocked(env.group.ID, followUp.ID, true)
	a.followUp = followUp
	a.conversations, a.threads = 4, 1
	return a
}

func adoptedConversation(id string) string {
	return fmt.Sprintf("msgraph_group_conversation.adopted[%q]", id)
}

func adoptedThread(id string) string {
	return fmt.Sprintf("msgraph_group_conversation_thread.adopted[%q]", id)
}

// checkThreadCount asserts how many threads a conversation holds, so that a
// thread created instead of adopted fails the test.
func (e *testEnv) checkThreadCount(conversationID string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := len(e.server.Threads(e.group.ID, conversationID)); got != want {
			return fmt.Errorf("conversation %s holds %d threads, want %d", conversationID, got, want)
		}
		return nil
	}
}

// testProviderOverride points an example's `provider "msgraph" {}` at this
// emulator, and its provider source at the one the in-process provider is
// served under (terraform-plugin-testing serves it as hashicorp/msgraph), so
// that the example itself is applied unchanged.
func (e *testEnv) testProviderOverride() string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    msgraph = {
      source = "hashicorp/msgraph"
    }
  }
}

provider "msgraph" {
  endpoint     = %q
  access_token = %q
}
`, e.endpoint, testUserToken)
}

// exampleDir copies the .tf files of an example root module into a new
// directory, with an override file for this emulator.
func (e *testEnv) exampleDir(t *testing.T, example string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(example, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("example %s has no .tf files (%v)", example, err)
	}
	dir := t.TempDir()
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, filepath.Base(file)), string(data))
	}
	writeFile(t, filepath.Join(dir, "test_override.tf"), e.testProviderOverride())
	return dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// expectOnlyImports checks that a plan imports exactly want objects and
// changes nothing: no create, no update, no replacement, no delete.
type expectOnlyImports int

func (want expectOnlyImports) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	imports := 0
	var problems []string
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Mode != "managed" || rc.Change == nil {
			continue
		}
		if !rc.Change.Actions.NoOp() {
			problems = append(problems, fmt.Sprintf("%s: %v", rc.Address, rc.Change.Actions))
		}
		if rc.Change.Importing != nil {
			imports++
		}
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("the plan must only import, but it also plans: %s", strings.Join(problems, "; "))
		return
	}
	if imports != int(want) {
		resp.Error = fmt.Errorf("the plan imports %d objects, want %d", imports, want)
	}
}

func bodyCheck(contentType, content string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"content_type": knownvalue.StringExact(contentType),
		"content":      knownvalue.StringExact(content),
	})
}

func recipientCheck(address string, name knownvalue.Check) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{"address": knownvalue.StringExact(address), "name": name})
}

// adoptedStateChecks check that the imported state holds every argument as
// the author wrote it, at the given addresses.
func (a adoptable) adoptedStateChecks(conversation func(emulator.Conversation) string, thread string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(conversation(a.htmlWithPeople), tfjsonpath.New("topic"), knownvalue.StringExact("Quarterly planning kickoff")),
		statecheck.ExpectKnownValue(conversation(a.htmlWithPeople), tfjsonpath.New("body"), bodyCheck("html", adoptedHTML)),
		statecheck.ExpectKnownValue(conversation(a.htmlWithPeople), tfjsonpath.New("new_participants"), knownvalue.ListExact([]knownvalue.Check{
			recipientCheck("lee@contoso.example", knownvalue.StringExact("Lee Gu")),
			recipientCheck("guest@fabrikam.example", knownvalue.Null()),
		})),
		statecheck.ExpectKnownValue(conversation(a.htmlAlone), tfjsonpath.New("body"),
			bodyCheck("html", "<p>Reply with the weeks you <b>cannot</b> cover.</p>")),
		statecheck.ExpectKnownValue(conversation(a.htmlAlone), tfjsonpath.New("new_participants"), knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownValue(conversation(a.textWithPeople), tfjsonpath.New("body"), bodyCheck("text", adoptedText)),
		statecheck.ExpectKnownValue(conversation(a.textWithPeople), tfjsonpath.New("new_participants"), knownvalue.ListExact([]knownvalue.Check{
			recipientCheck("megan@contoso.example", knownvalue.StringExact("Megan Bowen")),
		})),
		statecheck.ExpectKnownValue(conversation(a.textAlone), tfjsonpath.New("body"), bodyCheck("text", "The handbook lives in the Files tab.")),
		statecheck.ExpectKnownValue(conversation(a.textAlone), tfjsonpath.New("new_participants"), knownvalue.ListSizeExact(0)),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("conversation_id"), knownvalue.StringExact(a.htmlWithPeople.ID)),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("topic"), knownvalue.StringExact("Quarterly planning kickoff")),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("body"), bodyCheck("html", "<p>Minutes attached.</p>")),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("is_locked"), knownvalue.Bool(true)),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("to_recipients"), knownvalue.ListExact([]knownvalue.Check{
			recipientCheck("lee@contoso.example", knownvalue.StringExact("Lee Gu")),
		})),
		statecheck.ExpectKnownValue(thread, tfjsonpath.New("cc_recipients"), knownvalue.ListExact([]knownvalue.Check{
			recipientCheck("cc@contoso.example", knownvalue.Null()),
		})),
	}
}

// examples/adoption adopts a whole group with for_each import blocks over
// msgraph_group_conversations: one apply imports every conversation and
// thread and creates nothing, and the plan after it is empty (which
// terraform-plugin-testing checks after every apply). Later, a conversation
// started in Outlook is adopted by the next apply, and a reply that brings
// someone into a thread changes nothing.
func TestAccAdoption_forEach(t *testing.T) {
	env := newTestEnv(t, emulator.Options{})
	seeded := seedAdoptable(t, env)
	dir := config.StaticDirectory(env.exampleDir(t, adoptionExample))
	variables := config.Variables{"group_id": config.StringVariable(env.group.ID)}
	byID := func(c emulator.Conversation) string { return adoptedConversation(c.ID) }
	var later emulator.Conversation

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{forEachImportCheck},
		Steps: []resource.TestStep{
			{
				ConfigDirectory:          dir,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigVariables:          variables,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						expectOnlyImports(seeded.conversations + seeded.threads),
						plancheck.ExpectResourceAction(adoptedConversation(seeded.htmlWithPeople.ID), plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction(adoptedThread(seeded.followUp.ID), plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: append(seeded.adoptedStateChecks(byID, adoptedThread(seeded.followUp.ID)),
					stateCheckFunc(env.checkConversationCount(seeded.conversations)),
					stateCheckFunc(env.checkThreadCount(seeded.htmlWithPeople.ID, 2)),
				),
			},
			{
				PreConfig: func() {
					var err error
					if _, err = env.server.SeedReply(env.group.ID, seeded.followUp.ID, emulator.ItemBody{Content: "Adding Nestor."},
						[]emulator.Recipient{{Name: "Nestor Wilke", Address: "nestor@contoso.example"}},
						emulator.Principal{DisplayName: "Lee Gu", Address: "lee@contoso.example"}); err != nil {
						t.Fatal(err)
					}
					later, err = env.server.SeedConversation(env.group.ID, "Started after the adoption",
						emulator.ItemBody{ContentType: "html", Content: "<p>New here.</p>"}, nil,
						emulator.Principal{DisplayName: "Adele Vance", Address: "adele@contoso.example"})
					if err != nil {
						t.Fatal(err)
					}
				},
				ConfigDirectory:          dir,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigVariables:          variables,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectOnlyImports(1)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					// The state keeps the recipients it imported.
					statecheck.ExpectKnownValue(adoptedThread(seeded.followUp.ID), tfjsonpath.New("to_recipients"), knownvalue.ListExact([]knownvalue.Check{
						recipientCheck("lee@contoso.example", knownvalue.StringExact("Lee Gu")),
					})),
					stateCheckFunc(env.checkConversationCount(seeded.conversations + 1)),
					stateCheckFunc(env.checkThreadCount(seeded.htmlWithPeople.ID, 2)),
					adoptedCheck(func() string { return adoptedConversation(later.ID) }),
				},
			},
			{
				// terraform-plugin-testing's own destroy after the last step
				// reads the state into a form that cannot hold for_each
				// instances, so this step destroys, and asks the emulator
				// whether anything is left.
				Destroy:                  true,
				ConfigDirectory:          dir,
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigVariables:          variables,
				ConfigStateChecks:        []statecheck.StateCheck{stateCheckFunc(env.checkDestroyed)},
			},
		},
	})
}

// The route for a configuration written out in full: the helper in
// examples/adoption/generate-config writes an import block per conversation
// and thread (configuration generation does not work with for_each), `plan
// -generate-config-out` writes their resource blocks, and that configuration,
// as written, imports everything and then plans no changes.
func TestAccAdoption_generateConfig(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, emulator.Options{})
	seeded := seedAdoptable(t, env)
	variables := config.Variables{"group_id": config.StringVariable(env.group.ID)}

	// The helper writes the import blocks. It creates nothing, so its
	// destroy does nothing either.
	var importBlocks string
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{generateConfigCheck},
		Steps: []resource.TestStep{{
			ConfigDirectory:          config.StaticDirectory(env.exampleDir(t, adoptionImportsHelper)),
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			ConfigVariables:          variables,
			Check: func(s *terraform.State) error {
				output, ok := s.RootModule().Outputs["import_blocks"]
				if !ok {
					return fmt.Errorf("the helper has no import_blocks output")
				}
				importBlocks, _ = output.Value.(string)
				return nil
			},
		}},
	})
	targets := regexp.MustCompile(`(?m)^\s*to\s*=\s*(\S+)\s*$`).FindAllStringSubmatch(importBlocks, -1)
	if len(targets) != seeded.conversations+seeded.threads {
		t.Fatalf("the helper wrote %d import blocks, want %d:\n%s", len(targets), seeded.conversations+seeded.threads, importBlocks)
	}
	addresses := map[string]string{} // by import id
	for _, block := range regexp.MustCompile(`(?s)to\s*=\s*(\S+)\s*id\s*=\s*"([^"]+)"`).FindAllStringSubmatch(importBlocks, -1) {
		addresses[block[2]] = block[1]
	}
	conversationAddress := func(c emulator.Conversation) string { return addresses[env.group.ID+"/"+c.ID] }
	threadAddress := addresses[env.group.ID+"/"+seeded.htmlWithPeople.ID+"/"+seeded.followUp.ID]
	for _, address := range append([]string{threadAddress}, conversationAddress(seeded.htmlWithPeople), conversationAddress(seeded.textAlone)) {
		if !regexp.MustCompile(`^msgraph_group_conversation(_thread)?\.(conversation|thread)_[a-z0-9_]+_[0-9a-f]{8}$`).MatchString(address) {
			t.Fatalf("the helper named a resource %q; import blocks:\n%s", address, importBlocks)
		}
	}

	// A root module with the import blocks and no resource blocks, as the
	// guide has it; the generated configuration joins it in the second step.
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "main.tf"), env.providerConfig(testUserToken))
	writeFile(t, filepath.Join(root, "imports.tf"), importBlocks)
	generated := &generatedConfig{}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{generateConfigCheck},
		CheckDestroy:           env.checkDestroyed,
		Steps: []resource.TestStep{
			{
				// plan -generate-config-out=generated.tf: the plan made with
				// the generated configuration only imports.
				ConfigDirectory:          config.StaticDirectory(root),
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ImportState:              true,
				ImportStateKind:          resource.ImportBlockWithID,
				ImportStateConfigExact:   true,
				GenerateConfig:           true,
				ResourceName:             conversationAddress(seeded.htmlWithPeople),
				ImportStateId:            "unused: imports.tf holds the import blocks",
				ImportPlanChecks: resource.ImportPlanChecks{
					PreApply: []plancheck.PlanCheck{expectOnlyImports(seeded.conversations + seeded.threads), generated},
				},
			},
			{
				// The generated configuration as written: it applies as
				// imports alone, and the plan after it is empty.
				PreConfig: func() {
					writeFile(t, filepath.Join(root, "generated.tf"), generated.text())
				},
				ConfigDirectory:          config.StaticDirectory(root),
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectOnlyImports(seeded.conversations + seeded.threads)},
				},
				ConfigStateChecks: seeded.adoptedStateChecks(conversationAddress, threadAddress),
				Check: resource.ComposeTestCheckFunc(
					env.checkConversationCount(seeded.conversations),
					env.checkThreadCount(seeded.htmlWithPeople.ID, 2),
				),
			},
		},
	})
	t.Logf("generated configuration:\n%s", generated.text())
}

// stateCheckFunc runs a check that asks the emulator, not the state, as a
// state check: Check functions get terraform-plugin-testing's legacy state,
// which cannot hold for_each instances.
type stateCheckFunc resource.TestCheckFunc

func (f stateCheckFunc) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(nil)
}

// adoptedCheck checks that the state holds the resource at an address only
// known once the step runs.
type adoptedCheck func() string

func (f adoptedCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	address := f()
	if req.State != nil && req.State.Values != nil && req.State.Values.RootModule != nil {
		for _, r := range req.State.Values.RootModule.Resources {
			if r.Address == address {
				return
			}
		}
	}
	resp.Error = fmt.Errorf("%s is not in the state", address)
}

// generatedConfig is a plan check that keeps the configuration the CLI
// generated for each imported resource, and checks it is written the way a
// user would write it: arguments only (no computed attribute such as id,
// thread_id or preview), and no timeouts block.
type generatedConfig struct {
	mu     sync.Mutex
	blocks map[string]string // by address
}

// computedOnly are the attributes of the two resources that no
// configuration may set.
var computedOnly = regexp.MustCompile(`(?m)^\s*(id|thread_id|has_attachments|last_delivered_date_time|preview|unique_senders)\s*=|^\s*timeouts\s*[={]`)

func (g *generatedConfig) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.blocks = map[string]string{}
	var problems []string
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Mode != "managed" || rc.Change == nil {
			continue
		}
		block := rc.Change.GeneratedConfig
		switch {
		case block == "":
			problems = append(problems, rc.Address+": no configuration was generated")
		case computedOnly.MatchString(block):
			problems = append(problems, fmt.Sprintf("%s: the generated configuration sets %q:\n%s",
				rc.Address, strings.TrimSpace(computedOnly.FindString(block)), block))
		}
		g.blocks[rc.Address] = block
	}
	if len(problems) > 0 {
		resp.Error = fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
}

// text is the generated configuration as -generate-config-out writes it:
// the resource blocks one after the other.
func (g *generatedConfig) text() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	addresses := make([]string, 0, len(g.blocks))
	for address := range g.blocks {
		addresses = append(addresses, address)
	}
	slices.Sort(addresses)
	var b strings.Builder
	b.WriteString("# __generated__ by the CLI's plan -generate-config-out (kept by the test's plan check)\n")
	for _, address := range addresses {
		b.WriteString("\n" + g.blocks[address] + "\n")
	}
	return b.String()
}
