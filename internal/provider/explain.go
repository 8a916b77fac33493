package provider

import (
	"context"
	"fmt"
	"net/http"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// Graph's answers to refused requests are often cryptic (a 404 with an
// Exchange code for a security group, a bare 403 for an application token),
// and which status a group without a mailbox answers is not documented. So
// only after a failure does the provider look at the group
// (graph.DiagnoseGroup: does it exist, is it a Microsoft 365 group, does
// its mailbox answer) and at the token, whatever the status, and the
// functions here put what it found into words. A successful call costs no
// extra request.

// createKind names what a create makes, for the permissions Graph's docs
// list for it.
type createKind int

const (
	createsConversation createKind = iota
	createsThread
)

// permissions are the delegated permissions Graph's docs list for a create:
// group-post-conversations lists only Group.ReadWrite.All;
// conversation-post-threads lists Group-Conversation.ReadWrite.All (least
// privileged) and Group.ReadWrite.All.
func (k createKind) permissions() string {
	if k == createsThread {
		return "the delegated permission Group-Conversation.ReadWrite.All or Group.ReadWrite.All, which creating a thread needs"
	}
	return "the delegated permission Group.ReadWrite.All, which creating a conversation needs"
}

// appOnlyCreateAdvice explains a refused create with an application token.
// Every sign-in method but the Azure CLI and a user's access_token yields
// one, so it says which to switch to.
const appOnlyCreateAdvice = "Creating conversations needs a delegated (user) token: Microsoft Graph does not let " +
	"applications create group conversations or threads, and client certificates, client secrets, OIDC federation and " +
	"managed identities all sign in as an application. Sign in as a user instead: run \"az login\" and let the provider " +
	"use the Azure CLI (use_cli, on by default, is used when none of access_token, client_certificate, client_secret, " +
	"use_oidc and use_msi is set), or set access_token to a token issued to a signed-in user with Group.ReadWrite.All, " +
	"for example by \"az account get-access-token --resource-type ms-graph\"."

// unauthorizedAdvice explains a 401: Graph refused the token itself.
func unauthorizedAdvice(client *graph.Client) string {
	audience := client.TokenAudience()
	if audience == "" {
		audience = "Microsoft Graph"
	}
	return "Graph did not accept the access token: it is missing, expired, or issued for another audience than " + audience +
		". A static access_token must be fresh and issued for that audience (for example by " +
		"\"az account get-access-token --resource-type ms-graph\"); with the other sign-in methods, check that environment " +
		"names the cloud of your tenant."
}

// explainCreateFailure turns a refused create into advice, from what a look
// at the group found (d; the group is looked at when d is nil). It returns
// "" when it has nothing to add, as for a failure that is not a refusal.
func explainCreateFailure(ctx context.Context, client *graph.Client, groupID string, kind createKind, err error, d *graph.GroupDiagnosis) string {
	status := graph.StatusCode(err)
	switch {
	case status == http.StatusUnauthorized:
		return unauthorizedAdvice(client)
	case status < 400 || status >= 500:
		return ""
	}
	if d == nil {
		found := client.DiagnoseGroup(ctx, groupID)
		d = &found
	}
	if advice := groupAdvice(*d); advice != "" {
		return advice
	}
	switch {
	case d.AppOnlyToken:
		return appOnlyCreateAdvice
	case status == http.StatusForbidden, d.Mailbox == graph.MailboxAccessDenied:
		return fmt.Sprintf("The signed-in user may not post to group %s: make sure the user is a member of the group (or an owner) "+
			"and the token carries %s.", groupID, kind.permissions())
	}
	return ""
}

// explainReadFailure turns a failed read of a group's conversations,
// threads or posts into advice, as explainCreateFailure does for creates.
// Reads, unlike creates, are allowed with application tokens.
func explainReadFailure(ctx context.Context, client *graph.Client, groupID string, err error) string {
	status := graph.StatusCode(err)
	switch {
	case status == http.StatusUnauthorized:
		return unauthorizedAdvice(client)
	case status < 400 || status >= 500:
		return ""
	}
	if advice := groupAdvice(client.DiagnoseGroup(ctx, groupID)); advice != "" {
		return advice
	}
	if status == http.StatusForbidden {
		return fmt.Sprintf("The signed-in identity may not read the conversations of group %s: the token needs "+
			"Group-Conversation.Read.All or Group.Read.All, and a user must be a member of a private group.", groupID)
	}
	return ""
}

// groupAdvice says what is wrong with the group itself, if anything: it
// does not exist, has no mailbox, or its mailbox is not ready yet.
func groupAdvice(d graph.GroupDiagnosis) string {
	switch {
	case !d.Checked:
		return ""
	case !d.Found:
		return fmt.Sprintf("The group %s does not exist (or the signed-in identity cannot see it). Check group_id.", d.GroupID)
	case !d.Group.IsMicrosoft365():
		return fmt.Sprintf("The group %q (%s) is not a Microsoft 365 group: only groups whose groupTypes contain \"Unified\" "+
			"have a group mailbox and conversations.", d.Group.DisplayName, d.GroupID)
	case d.Mailbox == graph.MailboxNotReady:
		return fmt.Sprintf("The Microsoft 365 group %q (%s) exists, but its mailbox does not answer yet: Microsoft 365 creates a "+
			"new group's mailbox some time after the group (reports say up to 45 minutes). Apply again later.",
			d.Group.DisplayName, d.GroupID)
	}
	return ""
}
