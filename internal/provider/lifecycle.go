package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// Conversations and threads live the same life in Graph: created once with a
// first post that cannot change, invisible to reads for a while after the
// create, gone when a read answers 404 after that. This file is that life,
// shared by both resources: the opening steps of every CRUD method, the
// record of a create, the wait on refresh for an object created moments
// ago, and the wording of failed creates. Copies drift, and drift is where
// lifecycle bugs hide.

// privateCreatedAt is the private state key holding when this provider
// created the object, so a refresh soon after can tell "not yet visible"
// from "deleted".
const privateCreatedAt = "created_at"

// operation is one of a resource's CRUD methods.
type operation int

const (
	opCreate operation = iota
	opRead
	opUpdate
	opDelete
)

// operationTimeouts are a resource's default deadlines, which its timeouts
// block changes. They are the only bound on retries after throttling (Graph's
// Retry-After is honoured however long it is), on the wait for a new object
// to become readable, and on the search for a create whose answer proved
// nothing.
type operationTimeouts struct {
	create, read, update, delete time.Duration
}

// lifecycle is what a resource needs to live the shared life: the Graph
// client and how to name the object to users.
type lifecycle struct {
	client *graph.Client
	// noun names the object in diagnostics, e.g. "Group Conversation".
	noun     string
	timeouts operationTimeouts
}

// lifecycleModel is a resource model the shared steps can open.
type lifecycleModel interface {
	timeoutsValue() timeouts.Value
	// logFields names the object in log lines: group, conversation, thread.
	logFields() map[string]any
}

// modelSource is a plan or a state.
type modelSource interface {
	Get(ctx context.Context, target any) diag.Diagnostics
}

// begin runs the opening steps every CRUD method shares: it reads the plan
// or state into model, checks that the provider is configured, bounds what
// follows with the operation's deadline and names the object in the log
// context. When ok is false, diags says why and the method returns. cancel
// is always safe to defer.
func (l *lifecycle) begin(ctx context.Context, source modelSource, model lifecycleModel, op operation, diags *diag.Diagnostics) (_ context.Context, cancel context.CancelFunc, ok bool) {
	cancel = func() {}
	diags.Append(source.Get(ctx, model)...)
	if diags.HasError() || !requireGraphClient(l.client, diags) {
		return ctx, cancel, false
	}
	value := model.timeoutsValue()
	var timeout time.Duration
	var d diag.Diagnostics
	switch op {
	case opCreate:
		timeout, d = value.Create(ctx, l.timeouts.create)
	case opRead:
		timeout, d = value.Read(ctx, l.timeouts.read)
	case opUpdate:
		timeout, d = value.Update(ctx, l.timeouts.update)
	case opDelete:
		timeout, d = value.Delete(ctx, l.timeouts.delete)
	}
	diags.Append(d...)
	if diags.HasError() {
		return ctx, cancel, false
	}
	ctx, cancel = context.WithTimeout(ctx, timeout)
	for key, value := range model.logFields() {
		ctx = tflog.SetField(ctx, key, value)
	}
	return ctx, cancel, true
}

// privateGetter is the read side of a resource's private state.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateSetter is the write side of a resource's private state.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// stateSetter is the state a Create writes.
type stateSetter interface {
	Set(ctx context.Context, value any) diag.Diagnostics
}

// recordCreated saves a new object in the state, with when it was created
// in private state, before anything else can fail: if a later step fails,
// Terraform keeps the object (tainted) instead of losing track of one that
// exists, which would duplicate it on the next apply.
func recordCreated(ctx context.Context, state stateSetter, private privateSetter, model any, createdAt time.Time) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(state.Set(ctx, model)...)
	raw, _ := json.Marshal(createdAt.UTC())
	diags.Append(private.SetKey(ctx, privateCreatedAt, raw)...)
	return diags
}

// readWithGrace reads an object on refresh. A 404 for an object this
// provider created less than the visibility grace ago may only mean that
// Exchange does not show it yet (a lagging replica), so read is retried with
// wait until the grace has passed; dropping it from the state would make the
// next apply create a duplicate. gone reports an object to remove from the
// state: a 404 for anything older, or a wait that ran out, which a warning
// then explains, as the user otherwise sees only a silent wait.
func readWithGrace[T any](ctx context.Context, l *lifecycle, private privateGetter, diags *diag.Diagnostics,
	read, wait func(context.Context) (T, error)) (value T, gone bool, err error) {
	value, err = read(ctx)
	if !graph.IsNotFound(err) {
		return value, false, err
	}
	createdAt, ok := createdAtOf(ctx, private)
	settled := createdAt.Add(l.client.VisibilityGrace())
	if !ok || time.Now().After(settled) {
		tflog.Warn(ctx, l.noun+" not found; removing it from the state so the next apply creates it again")
		return value, true, nil
	}
	tflog.Info(ctx, l.noun+" created moments ago is not readable yet; waiting for it", map[string]any{
		"created_at": createdAt.Format(time.RFC3339), "wait_until": settled.Format(time.RFC3339),
	})
	waitCtx, cancel := context.WithDeadline(ctx, settled)
	defer cancel()
	value, err = wait(waitCtx)
	if graph.IsNotFound(err) {
		// Still not there when the grace ran out (the wait stops just
		// before its deadline): it is gone.
		diags.AddWarning(l.noun+" Not Found After Create",
			fmt.Sprintf("This provider created the %s at %s, but Microsoft Graph still answered 404 for it when the visibility "+
				"grace of %s ended. New objects can be invisible for a few seconds; this one stayed invisible for longer, so the "+
				"provider treats it as deleted and removes it from the state: the next apply creates it again. If it does exist "+
				"(check the group), import it instead.",
				strings.ToLower(l.noun), createdAt.Format(time.RFC3339), l.client.VisibilityGrace()))
		return value, true, nil
	}
	return value, false, err
}

// createdAtOf reads when this provider created the object, if it did.
func createdAtOf(ctx context.Context, private privateGetter) (time.Time, bool) {
	raw, diags := private.GetKey(ctx, privateCreatedAt)
	if diags.HasError() || len(raw) == 0 {
		return time.Time{}, false
	}
	var createdAt time.Time
	if err := json.Unmarshal(raw, &createdAt); err != nil {
		return time.Time{}, false
	}
	return createdAt, true
}

// createInGroup runs create, a create in a group's mailbox. When Graph
// refuses it and a look at the group finds a Microsoft 365 group whose
// mailbox does not answer yet (Microsoft 365 creates a new group's mailbox
// some time after the group, so a configuration that creates the group and
// its first conversation in one apply meets it), it waits for the mailbox,
// logging its progress, and runs create again, until ctx's deadline, the
// create timeout. diagnosis is the look at the group after the last
// refusal, for the explanation of a failure; nil when there was none.
func createInGroup[T any](ctx context.Context, client *graph.Client, groupID string, create func(context.Context) (T, error)) (value T, diagnosis *graph.GroupDiagnosis, err error) {
	for {
		value, err = create(ctx)
		if !isRefusal(err) {
			return value, nil, err
		}
		d := client.DiagnoseGroup(ctx, groupID)
		if !d.Found || !d.Group.IsMicrosoft365() || d.Mailbox != graph.MailboxNotReady {
			return value, &d, err
		}
		tflog.Info(ctx, "The group's mailbox does not answer yet; waiting for it, within the create timeout", map[string]any{
			"group": d.Group.DisplayName, "error": err.Error(),
		})
		if waitErr := client.WaitForMailbox(ctx, groupID); waitErr != nil {
			return value, &d, waitErr
		}
	}
}

// isRefusal reports a create Graph refused (a 4xx other than 401 and 429),
// which creates nothing and is worth a look at the group.
func isRefusal(err error) bool {
	status := graph.StatusCode(err)
	return status >= 400 && status < 500 && status != 401 && status != 429 && graph.FailureOf(err) == ""
}

// createFailed reports a create that did not produce an object this
// provider knows of. what names the object ("the conversation "Kickoff" in
// group …"). A create whose outcome is unknown says that the object may
// exist and what the provider did about it; only a 4xx is a refusal.
func (l *lifecycle) createFailed(diags *diag.Diagnostics, what string, err error, advice string) {
	var unconfirmed *graph.UnconfirmedCreateError
	if errors.As(err, &unconfirmed) {
		how := "by the idempotency key the provider stamped on its first post"
		if unconfirmed.Key == "" {
			how = "by its content (Graph refused the idempotency key, so topic, body and recipients stand in for it)"
		}
		did := fmt.Sprintf("The provider searched for it %s, but could not find it or rule it out before the create timeout: %v.", how, unconfirmed.Cause)
		if !unconfirmed.Searched {
			did = "The create timeout ran out before the provider could search for it."
		}
		addGraphError(diags, "Create "+l.noun+" Outcome Unknown",
			fmt.Sprintf("Microsoft Graph gave no usable answer to the create of %s, so Graph may have created it. %s "+
				"Nothing was recorded in the state.", what, did),
			err, "Check the group. If the "+strings.ToLower(l.noun)+" exists, import it; if not, run the apply again. "+
				"A longer create timeout (timeouts block) gives the search more time.")
		return
	}
	var notReady *graph.MailboxNotReadyError
	if errors.As(err, &notReady) {
		addGraphError(diags, "Create "+l.noun+" Failed",
			fmt.Sprintf("Could not create %s: the group's mailbox still did not answer after the provider waited %s for it "+
				"(%d reads), and the create timeout ended the wait. Microsoft 365 creates a new group's mailbox some time after "+
				"the group; reports say it can take up to 45 minutes. Nothing was created.",
				what, notReady.Waited.Round(time.Second), notReady.Polls),
			err, "Apply again later, or give the create more time with a timeouts block (for example create = \"60m\").")
		return
	}
	happened := fmt.Sprintf("Could not create %s.", what)
	if status := graph.StatusCode(err); status >= 400 && status < 500 {
		happened = fmt.Sprintf("Microsoft Graph refused to create %s.", what)
	}
	addGraphError(diags, "Create "+l.noun+" Failed", happened, err, advice)
}

// readBackFailed reports a create whose object exists and is in the state
// but could not be read back.
func (l *lifecycle) readBackFailed(diags *diag.Diagnostics, id string, err error) {
	addGraphError(diags, "Read "+l.noun+" After Create Failed",
		fmt.Sprintf("The %s was created (id %s) and is recorded in the state, but it could not be read back. "+
			"Terraform marks it tainted: the next apply deletes and re-creates it, or run `terraform untaint` if it is fine.",
			strings.ToLower(l.noun), id),
		err, "")
}

// deleted reports a delete's outcome. A 404 is success: the object is gone,
// which is what a delete wants.
func (l *lifecycle) deleted(ctx context.Context, diags *diag.Diagnostics, what string, err error) {
	switch {
	case graph.IsNotFound(err):
		tflog.Info(ctx, l.noun+" was already deleted")
	case err != nil:
		addGraphError(diags, "Delete "+l.noun+" Failed", fmt.Sprintf("Could not delete %s.", what), err, "")
	default:
		tflog.Info(ctx, "Deleted "+strings.ToLower(l.noun))
	}
}
