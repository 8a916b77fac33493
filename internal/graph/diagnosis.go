package graph

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
)

// Graph's answer to a refused request says little, and how it says it is
// not documented: a group without a mailbox has been seen to answer 404
// MailboxNotEnabledForRESTAPI, and may answer 403; so may a Microsoft 365
// group whose mailbox is still being provisioned (Exchange-backed features
// of a new group have lagged its creation by up to 45 minutes,
// microsoft-graph-docs#294). So after a failure, and only then, the
// provider looks at the group itself: does it exist, is it a Microsoft 365
// group, does its mailbox answer. What it finds is returned as data; the
// provider words it.

// MailboxState is what a group's mailbox answered a read.
type MailboxState int

const (
	// MailboxUnchecked: the mailbox was not asked (the group was not found
	// or has no mailbox).
	MailboxUnchecked MailboxState = iota
	// MailboxReady: it answered.
	MailboxReady
	// MailboxNotReady: it answered 404 while its Microsoft 365 group exists,
	// as a mailbox still being provisioned does.
	MailboxNotReady
	// MailboxAccessDenied: it answered 403.
	MailboxAccessDenied
	// MailboxUnknown: it failed otherwise.
	MailboxUnknown
)

// GroupDiagnosis is what looking at a group found.
type GroupDiagnosis struct {
	GroupID string
	// Checked reports that the group could be looked at; when false, Err
	// says why, and nothing else is known.
	Checked bool
	Err     error
	// Found reports that the group exists and the signed-in identity can
	// see it; Group is the group then.
	Found bool
	Group Group
	// Mailbox is what a Microsoft 365 group's mailbox answered.
	Mailbox MailboxState
	// MailboxErr is the mailbox's answer when it was not ready.
	MailboxErr error
	// AppOnlyToken reports that the client signs in as an application.
	AppOnlyToken bool
}

// DiagnoseGroup looks at a group after a request to its mailbox failed: it
// reads the group and, for a Microsoft 365 group, asks its mailbox for one
// conversation.
func (c *Client) DiagnoseGroup(ctx context.Context, groupID string) GroupDiagnosis {
	d := GroupDiagnosis{GroupID: groupID, AppOnlyToken: c.tokenIsAppOnly(ctx)}
	group, err := c.GetGroup(ctx, groupID)
	switch {
	case IsNotFound(err):
		d.Checked = true
		return d
	case err != nil:
		d.Err = err
		return d
	}
	d.Checked, d.Found, d.Group = true, true, group
	if group.IsMicrosoft365() {
		d.Mailbox, d.MailboxErr = c.probeMailbox(ctx, groupID)
	}
	return d
}

// probeMailbox asks a Microsoft 365 group's mailbox for one conversation.
func (c *Client) probeMailbox(ctx context.Context, groupID string) (MailboxState, error) {
	ctx, attempts := withAttemptCounter(ctx)
	top := int32(1)
	_, err := c.groups.ByGroupId(groupID).Conversations().Get(ctx, &groups.ItemConversationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.ItemConversationsRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &top},
	})
	if err == nil {
		return MailboxReady, nil
	}
	err = newError("read group mailbox", int(attempts.Load()), err)
	switch StatusCode(err) {
	case http.StatusNotFound:
		return MailboxNotReady, err
	case http.StatusForbidden:
		return MailboxAccessDenied, err
	}
	return MailboxUnknown, err
}

// IsMailboxNotReady reports whether a refused request may have been refused
// because the group's mailbox is not ready yet: Exchange answers 404 (with
// MailboxNotEnabledForRESTAPI) for a mailbox it cannot serve. Only a look at
// the group (DiagnoseGroup) tells.
func IsMailboxNotReady(err error) bool {
	var ge *Error
	if !errors.As(err, &ge) || ge.Failure != "" {
		return false
	}
	return ge.StatusCode == http.StatusNotFound || strings.EqualFold(ge.Code, "MailboxNotEnabledForRESTAPI")
}

// MailboxNotReadyError is a wait for a group's mailbox that ended before the
// mailbox answered.
type MailboxNotReadyError struct {
	GroupID string
	// Waited is how long the mailbox was waited for, in Polls reads.
	Waited time.Duration
	Polls  int
	// Last is the mailbox's last answer.
	Last error
}

func (e *MailboxNotReadyError) Error() string {
	return fmt.Sprintf("the mailbox of group %s did not answer within %s (%d reads): %v", e.GroupID, e.Waited.Round(time.Second), e.Polls, e.Last)
}

func (e *MailboxNotReadyError) Unwrap() error { return e.Last }

// WaitForMailbox waits until a Microsoft 365 group's mailbox answers, as a
// new group's does some time after the group; call it for a group whose
// mailbox DiagnoseGroup found not ready (a group without a mailbox answers
// like one not ready, for ever). It reads the mailbox with
// jittered, doubling delays of up to maxMailboxPoll, logging its progress,
// until it answers or ctx's deadline comes. It returns nil once the mailbox
// answers, a *MailboxNotReadyError when the deadline comes first, and any
// other failure of the mailbox as it is.
func (c *Client) WaitForMailbox(ctx context.Context, groupID string) error {
	start := time.Now()
	delay := c.retryBaseDelay
	maxDelay := min(maxMailboxPoll, 16*c.retryBaseDelay)
	for polls := 1; ; polls++ {
		state, err := c.probeMailbox(ctx, groupID)
		switch state {
		case MailboxReady:
			tflog.Info(ctx, "The group's mailbox answers; creating", map[string]any{
				"group_id": groupID, "waited": time.Since(start).Round(time.Millisecond).String(), "reads": polls,
			})
			return nil
		case MailboxNotReady:
		default:
			return err
		}
		sleep := delay/2 + rand.N(delay/2+1)
		if !fitsDeadline(ctx, sleep) {
			return &MailboxNotReadyError{GroupID: groupID, Waited: time.Since(start), Polls: polls, Last: err}
		}
		tflog.Info(ctx, "Waiting for the group's mailbox: Microsoft 365 creates a new group's mailbox some time after the group", map[string]any{
			"group_id": groupID, "waited": time.Since(start).Round(time.Second).String(), "reads": polls,
			"next_read_in": sleep.Round(time.Millisecond).String(),
		})
		if err := sleepContext(ctx, sleep); err != nil {
			return &MailboxNotReadyError{GroupID: groupID, Waited: time.Since(start), Polls: polls, Last: err}
		}
		delay = min(delay*2, maxDelay)
	}
}

// maxMailboxPoll is the longest pause between two reads of a mailbox being
// provisioned: provisioning takes minutes, and a read every 15 seconds costs
// the group's quota of 10,000 requests per 10 minutes nothing to speak of.
const maxMailboxPoll = 15 * time.Second

// TokenIsAppOnly reports whether the client signs in as an application,
// which may read but not create conversations.
func (c *Client) TokenIsAppOnly(ctx context.Context) bool { return c.tokenIsAppOnly(ctx) }

// TokenAudience is the audience the client asks tokens for, such as
// "https://graph.microsoft.com".
func (c *Client) TokenAudience() string {
	if len(c.scopes) == 0 {
		return ""
	}
	return strings.TrimSuffix(c.scopes[0], "/.default")
}
