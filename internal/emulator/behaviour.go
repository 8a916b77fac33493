package emulator

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
)

// Behaviour holds the emulator's answers where Graph's documentation is
// silent or contradicts itself. Each field picks one of the behaviours the
// real service may show; the zero value is the emulator's original choice,
// so a test that sets nothing sees what it always saw. EMULATOR.md at the
// repository root describes each choice with its evidence.
//
// Behaviour is plain data: a conformance tool can build one from what it saw
// a tenant do, compare it with Server.Options().Behaviour, and print Flags()
// to name the msgraph-emulator flags that reproduce the tenant.
type Behaviour struct {
	// TopCapsTotal makes $top on mailbox lists (conversations, threads,
	// posts) a cap on the whole listing, as OData defines it: pages still
	// hold at most Options.MaxPageSize items, but no nextLink leads beyond
	// $top items. By default $top is the page size and nextLink leads to the
	// end of the collection.
	TopCapsTotal bool
	// ListOrder orders conversation and thread lists. CreationOrder (the
	// default) is stable; NewestFirst sorts by lastDeliveredDateTime, newest
	// first, and pages with $skip over that order, so a reply arriving
	// between two pages moves a conversation to the front and shifts the
	// others by one: the next page repeats an item or skips one.
	ListOrder Order
	// HonourMaxPageSizePreference honours "Prefer: odata.maxpagesize=N" on
	// mailbox lists the way Outlook's REST endpoints do: pages hold at most
	// N items (and never more than Options.MaxPageSize), and the answer
	// carries "Preference-Applied: odata.maxpagesize=N". By default the
	// header is ignored.
	HonourMaxPageSizePreference bool
	// NormaliseTopics stores a conversation's topic as Exchange's normalised
	// subject: a prefix of one to three characters that are not a colon, a
	// blank or a digit, followed by a colon and blanks, is stripped ("RE: x"
	// and "FYI: x" read back as "x"; "Q3: x" is kept).
	NormaliseTopics bool
	// MaxTopicLength refuses to create a conversation whose topic is longer
	// than this many UTF-16 code units, with 400 ErrorInvalidRequest. 0 means
	// no limit; ExchangeMaxTopicLength is Exchange's limit on a subject.
	MaxTopicLength int
	// HTMLShape is how an HTML post body is stored and read back.
	HTMLShape HTMLShape
	// TextToHTML stores text post bodies as HTML (escaped, line breaks as
	// <br>, in the HTMLShape document), as Exchange does when it converts a
	// message body. By default a text body stays text.
	TextToHTML bool
	// MailboxDelay is how long after AddGroup a Microsoft 365 group's mailbox
	// answers every mailbox request with 404 MailboxNotEnabledForRESTAPI, for
	// groups whose Group.MailboxDelay is zero. It applies to groups added
	// after it is set.
	MailboxDelay time.Duration
	// NonUnifiedStatus is the status of mailbox requests on a group without
	// a mailbox (not a Microsoft 365 group): 404 MailboxNotEnabledForRESTAPI
	// (0 or 404, the default) or 403 ErrorAccessDenied.
	NonUnifiedStatus int
	// PostsOrder orders thread post lists, which stop at 100 posts with no
	// nextLink either way: CreationOrder lists the 100 oldest, NewestFirst
	// the 100 newest (so the first post is the one missing from a long
	// thread).
	PostsOrder Order
	// FilterLastDelivered honours $filter on lastDeliveredDateTime (eq, ne,
	// le or ge with a DateTimeOffset literal) on the conversation list, as
	// Graph's beta page for conversation documents. By default every filter
	// but hasAttachments answers 400 ErrorInvalidUrlQueryFilter, as the v1.0
	// page, which lists the note under preview, leaves open.
	FilterLastDelivered bool
}

// ExchangeMaxTopicLength is Exchange's limit on a subject: prefix and
// normalised subject together under 254 characters.
const ExchangeMaxTopicLength = 253

// Order is the order of a list.
type Order int

const (
	// CreationOrder lists the oldest item first, in the order items were
	// created.
	CreationOrder Order = iota
	// NewestFirst lists the most recently delivered item first.
	NewestFirst
)

var orderNames = []string{CreationOrder: "creation", NewestFirst: "newest-first"}

func (o Order) String() string { return enumName(orderNames, int(o)) }

// MarshalText spells the order as the msgraph-emulator flags do.
func (o Order) MarshalText() ([]byte, error) { return marshalEnum(orderNames, int(o)) }

// UnmarshalText reads "creation" or "newest-first".
func (o *Order) UnmarshalText(text []byte) error { return unmarshalEnum(orderNames, (*int)(o), text) }

// HTMLShape is a way Exchange stores an HTML post body.
type HTMLShape int

const (
	// HTMLWrapped puts the posted markup, unchanged, into
	// <html><head>…<meta …></head><body><div>…</div></body></html>.
	HTMLWrapped HTMLShape = iota
	// HTMLSanitised is the shape of the samples in Graph's docs
	// (conversationthread-list-posts): the markup in nested <div>s,
	// <html><body><div><div style="direction:ltr;">…</div></div></body></html>,
	// after Exchange's sanitiser prefixed every id and class name with "x_"
	// and marked links with data-auth="NotApplicable".
	HTMLSanitised
	// HTMLMessage is the document a message created through Graph reads back
	// as: <html>, <head> with a charset <meta>, and <body> on lines of their
	// own, every line ending in CRLF.
	HTMLMessage
)

var htmlShapeNames = []string{HTMLWrapped: "wrapped", HTMLSanitised: "sanitised", HTMLMessage: "message"}

func (h HTMLShape) String() string { return enumName(htmlShapeNames, int(h)) }

// MarshalText spells the shape as the msgraph-emulator flags do.
func (h HTMLShape) MarshalText() ([]byte, error) { return marshalEnum(htmlShapeNames, int(h)) }

// UnmarshalText reads "wrapped", "sanitised" or "message".
func (h *HTMLShape) UnmarshalText(text []byte) error {
	return unmarshalEnum(htmlShapeNames, (*int)(h), text)
}

func enumName(names []string, v int) string {
	if v < 0 || v >= len(names) {
		return strconv.Itoa(v)
	}
	return names[v]
}

func marshalEnum(names []string, v int) ([]byte, error) {
	if v < 0 || v >= len(names) {
		return nil, fmt.Errorf("emulator: no name for value %d; want one of %q", v, names)
	}
	return []byte(names[v]), nil
}

func unmarshalEnum(names []string, v *int, text []byte) error {
	for i, name := range names {
		if string(text) == name {
			*v = i
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %q", text, names)
}

// Validate reports the first field outside its documented values.
func (b Behaviour) Validate() error {
	switch {
	case b.ListOrder != CreationOrder && b.ListOrder != NewestFirst:
		return fmt.Errorf("ListOrder %d is neither CreationOrder nor NewestFirst", b.ListOrder)
	case b.PostsOrder != CreationOrder && b.PostsOrder != NewestFirst:
		return fmt.Errorf("PostsOrder %d is neither CreationOrder nor NewestFirst", b.PostsOrder)
	case b.HTMLShape < HTMLWrapped || b.HTMLShape > HTMLMessage:
		return fmt.Errorf("HTMLShape %d is not HTMLWrapped, HTMLSanitised or HTMLMessage", b.HTMLShape)
	case b.MaxTopicLength < 0:
		return errors.New("MaxTopicLength must not be negative")
	case b.MailboxDelay < 0:
		return errors.New("MailboxDelay must not be negative")
	case b.NonUnifiedStatus != 0 && b.NonUnifiedStatus != http.StatusForbidden && b.NonUnifiedStatus != http.StatusNotFound:
		return fmt.Errorf("NonUnifiedStatus %d is neither 403 nor 404", b.NonUnifiedStatus)
	}
	return nil
}

// normalised returns b with every invalid field replaced by its default, so
// that a server never runs with a value its code has no answer for.
func (b Behaviour) normalised() Behaviour {
	if b.ListOrder != NewestFirst {
		b.ListOrder = CreationOrder
	}
	if b.PostsOrder != NewestFirst {
		b.PostsOrder = CreationOrder
	}
	if b.HTMLShape < HTMLWrapped || b.HTMLShape > HTMLMessage {
		b.HTMLShape = HTMLWrapped
	}
	b.MaxTopicLength = max(b.MaxTopicLength, 0)
	b.MailboxDelay = max(b.MailboxDelay, 0)
	if b.NonUnifiedStatus != http.StatusForbidden {
		b.NonUnifiedStatus = http.StatusNotFound
	}
	return b
}

// The msgraph-emulator flag of each field. RegisterFlags defines them and
// Flags renders them, so the command and any tool printing flags agree.
const (
	flagTopCapsTotal        = "top-caps-total"
	flagListOrder           = "list-order"
	flagHonourMaxPageSize   = "honour-maxpagesize-preference"
	flagNormaliseTopics     = "normalise-topics"
	flagMaxTopicLength      = "max-topic-length"
	flagHTMLShape           = "html-shape"
	flagTextToHTML          = "text-to-html"
	flagMailboxDelay        = "mailbox-delay"
	flagNonUnifiedStatus    = "non-unified-status"
	flagPostsOrder          = "posts-order"
	flagFilterLastDelivered = "filter-last-delivered"
)

// RegisterFlags defines one flag per field on fs, writing into b. The
// defaults are b's current values.
func (b *Behaviour) RegisterFlags(fs *flag.FlagSet) {
	if b.NonUnifiedStatus == 0 {
		b.NonUnifiedStatus = http.StatusNotFound
	}
	fs.BoolVar(&b.TopCapsTotal, flagTopCapsTotal, b.TopCapsTotal, "treat $top on mailbox lists as a cap on the whole listing (no nextLink beyond $top items) instead of the page size")
	fs.TextVar(&b.ListOrder, flagListOrder, b.ListOrder, "`order` of conversation and thread lists: creation, or newest-first (by lastDeliveredDateTime, paged with $skip)")
	fs.BoolVar(&b.HonourMaxPageSizePreference, flagHonourMaxPageSize, b.HonourMaxPageSizePreference, "honour \"Prefer: odata.maxpagesize=N\" on mailbox lists and answer with Preference-Applied")
	fs.BoolVar(&b.NormaliseTopics, flagNormaliseTopics, b.NormaliseTopics, "store topics as Exchange's normalised subject (\"RE: x\" and \"FYI: x\" read back as \"x\")")
	fs.IntVar(&b.MaxTopicLength, flagMaxTopicLength, b.MaxTopicLength, "refuse creates whose topic is longer than this many `characters` (UTF-16 code units); Exchange's limit is "+strconv.Itoa(ExchangeMaxTopicLength)+", 0 is no limit")
	fs.TextVar(&b.HTMLShape, flagHTMLShape, b.HTMLShape, "`shape` of stored HTML bodies: wrapped, sanitised (nested divs, x_ ids) or message (CRLF document)")
	fs.BoolVar(&b.TextToHTML, flagTextToHTML, b.TextToHTML, "store text post bodies as HTML")
	fs.DurationVar(&b.MailboxDelay, flagMailboxDelay, b.MailboxDelay, "`duration` after its creation during which a new group's mailbox answers 404 MailboxNotEnabledForRESTAPI")
	fs.IntVar(&b.NonUnifiedStatus, flagNonUnifiedStatus, b.NonUnifiedStatus, "`status` of mailbox requests on a group that is not a Microsoft 365 group: 404 or 403")
	fs.TextVar(&b.PostsOrder, flagPostsOrder, b.PostsOrder, "`order` of post lists, which stop at 100: creation (the oldest 100) or newest-first (the newest 100)")
	fs.BoolVar(&b.FilterLastDelivered, flagFilterLastDelivered, b.FilterLastDelivered, "honour $filter on lastDeliveredDateTime (eq, ne, le, ge) on the conversation list instead of answering 400 ErrorInvalidUrlQueryFilter")
}

// Flags returns the msgraph-emulator arguments that select b, leaving out
// fields at their defaults: nil for the zero Behaviour.
func (b Behaviour) Flags() []string {
	b = b.normalised()
	var out []string
	add := func(name string, value any) { out = append(out, fmt.Sprintf("-%s=%v", name, value)) }
	if b.TopCapsTotal {
		add(flagTopCapsTotal, true)
	}
	if b.ListOrder != CreationOrder {
		add(flagListOrder, b.ListOrder)
	}
	if b.HonourMaxPageSizePreference {
		add(flagHonourMaxPageSize, true)
	}
	if b.NormaliseTopics {
		add(flagNormaliseTopics, true)
	}
	if b.MaxTopicLength != 0 {
		add(flagMaxTopicLength, b.MaxTopicLength)
	}
	if b.HTMLShape != HTMLWrapped {
		add(flagHTMLShape, b.HTMLShape)
	}
	if b.TextToHTML {
		add(flagTextToHTML, true)
	}
	if b.MailboxDelay != 0 {
		add(flagMailboxDelay, b.MailboxDelay)
	}
	if b.NonUnifiedStatus != http.StatusNotFound {
		add(flagNonUnifiedStatus, b.NonUnifiedStatus)
	}
	if b.PostsOrder != CreationOrder {
		add(flagPostsOrder, b.PostsOrder)
	}
	if b.FilterLastDelivered {
		add(flagFilterLastDelivered, true)
	}
	return out
}

// storedTopic is the topic as the store keeps it. The caller must hold the
// lock.
func (st *store) storedTopic(topic string) string {
	if st.behaviour.NormaliseTopics {
		return normaliseSubject(topic)
	}
	return topic
}

// checkTopic refuses a topic over the length limit. Exchange's limit on a
// subject is documented in its protocol specifications; how Graph reports a
// topic over it is not, so the status, code and message are inferred. The
// caller must hold the lock.
func (st *store) checkTopic(topic string) *apiError {
	limit := st.behaviour.MaxTopicLength
	if n := len(utf16.Encode([]rune(topic))); limit > 0 && n > limit {
		return errInvalidRequest(fmt.Sprintf("The topic is %d characters long; a conversation topic can have at most %d.", n, limit))
	}
	return nil
}

// normaliseSubject strips the subject prefix the way Exchange derives a
// normalised subject: one to three characters, none of them a colon, a blank
// or a digit, then a colon, then any blanks. Only one prefix goes ("RE: FW:
// x" keeps "FW: x"), and a subject that would be left empty is kept whole.
func normaliseSubject(subject string) string {
	runes := []rune(subject)
	for i, r := range runes {
		if r == ':' {
			if i == 0 {
				return subject
			}
			rest := strings.TrimLeft(string(runes[i+1:]), " \t")
			if rest == "" {
				return subject
			}
			return rest
		}
		if i >= 3 || r == ' ' || r == '\t' || unicode.IsDigit(r) {
			return subject
		}
	}
	return subject
}
