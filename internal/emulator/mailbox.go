package emulator

import (
	"net/http"
	"strings"
	"time"
)

// errNoMailbox answers mailbox requests on a group that has no mailbox
// because it is not a Microsoft 365 group. Graph documents no answer for
// this; both candidates are inferred. 404 uses the code Exchange gives a
// mailbox it cannot serve, 403 the code and message of Exchange's other
// refusals (Behaviour.NonUnifiedStatus picks one).
func errNoMailbox(status int) *apiError {
	if status == http.StatusForbidden {
		return errAccessDenied()
	}
	return errMailboxNotEnabled()
}

// checkMailboxReady refuses requests to a Microsoft 365 group whose mailbox
// is still being provisioned. Exchange-backed features of a new group have
// lagged its creation by up to 45 minutes (microsoft-graph-docs#294), and a
// group without a usable mailbox has answered 404 MailboxNotEnabledForRESTAPI
// (microsoft-graph-docs#13552). Unknown groups and groups without a mailbox
// pass: the handler gives them their own answers.
func (s *Server) checkMailboxReady(groupID string, now time.Time) *apiError {
	return s.lockStore(func(st *store) *apiError {
		g, known := st.groups[strings.ToLower(groupID)]
		if known && isUnified(g.group) && now.Before(g.mailboxReadyAt) {
			return errMailboxNotEnabled()
		}
		return nil
	})
}
