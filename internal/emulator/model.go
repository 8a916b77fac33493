package emulator

import "time"

// Principal is the identity behind a bearer token.
type Principal struct {
	// DisplayName is shown in uniqueSenders and as the from/sender name of posts.
	DisplayName string
	// Address is the email address used for from/sender.
	Address string
	// AppOnly marks an application (client-credentials) token. Graph refuses to
	// create conversations or threads and to reply with such a token, so the
	// emulator answers those calls with 403 ErrorAccessDenied.
	AppOnly bool
}

// Group is a directory group. Only groups whose GroupTypes contain "Unified"
// have a group mailbox and therefore conversations.
type Group struct {
	// ID is a lowercase GUID (8-4-4-4-12). AddGroup generates one from the seeded
	// random source when it is empty.
	ID           string
	DisplayName  string
	MailNickname string
	Mail         string
	// GroupTypes contains "Unified" for a Microsoft 365 group. A nil or empty
	// slice is a security group without a mailbox.
	GroupTypes      []string
	MailEnabled     bool
	SecurityEnabled bool
	// MailboxDelay keeps a new Microsoft 365 group's mailbox from answering
	// for this long after AddGroup: every mailbox request gets 404
	// MailboxNotEnabledForRESTAPI, as Exchange answers while it provisions
	// the mailbox of a group just created. Zero takes the server's
	// Behaviour.MailboxDelay; a negative value makes the mailbox ready at
	// once whatever that default.
	MailboxDelay time.Duration
}

// Recipient is a name and email address, the Graph recipient type flattened.
type Recipient struct{ Name, Address string }

// ItemBody is a post body. ContentType is "html" or "text".
type ItemBody struct{ ContentType, Content string }

// Conversation is a snapshot of a stored conversation with its computed fields
// derived from the posts of all its threads.
type Conversation struct {
	ID                    string
	Topic                 string
	HasAttachments        bool
	LastDeliveredDateTime time.Time
	Preview               string
	UniqueSenders         []string
	// ThreadIDs lists the conversation's threads in creation order.
	ThreadIDs []string
	// CreatedAt is the emulator clock's time when the conversation was stored.
	CreatedAt time.Time
}

// Thread is a snapshot of a stored conversation thread.
type Thread struct {
	ID                    string
	ConversationID        string
	Topic                 string
	IsLocked              bool
	ToRecipients          []Recipient
	CcRecipients          []Recipient
	HasAttachments        bool
	LastDeliveredDateTime time.Time
	Preview               string
	UniqueSenders         []string
	// PostIDs lists the thread's posts oldest first.
	PostIDs []string
}

// Post is a snapshot of a stored post.
type Post struct {
	ID             string
	ConversationID string
	ThreadID       string
	// Body is the body as stored: HTML content is re-wrapped the way Exchange
	// does it (see Behaviour.HTMLShape); text content is unchanged unless
	// Behaviour.TextToHTML converts it.
	Body                 ItemBody
	From                 Recipient
	Sender               Recipient
	NewParticipants      []Recipient
	ReceivedDateTime     time.Time
	CreatedDateTime      time.Time
	LastModifiedDateTime time.Time
	ChangeKey            string
	HasAttachments       bool
	// InReplyTo is the id of the post this one replies to: for a reply to a
	// post, that post; for a reply to a thread, the thread's newest post at
	// the time; "" for the post that started a thread.
	InReplyTo string
	// Extensions and ExtendedProperties are the stamps the request that
	// created the post carried (see stamps.go); Graph shows them only when
	// a read expands them.
	Extensions         []OpenExtension
	ExtendedProperties map[string]string
}
