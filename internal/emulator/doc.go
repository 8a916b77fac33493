// Package emulator is an in-memory Microsoft Graph v1.0 server for group
// conversations, threads and posts, meant to run on loopback in tests and demos.
//
// It is a second, independent implementation of the Graph behaviour that
// EMULATOR.md at the repository root describes, written from that description
// and Microsoft's documentation and not from the provider's own Graph layer.
// That independence is the point: a test that passes through both the
// provider client and this emulator checks the client against the documented
// service, not against itself. For the same reason the package uses the
// standard library only and imports nothing else from this repository.
//
// Where Graph's documentation is silent, the emulator offers each plausible
// behaviour as a field of Behaviour; the zero value keeps its original
// choices. Other inferred answers are marked as such in a comment next to the
// code that implements them and in EMULATOR.md, so each assumption can be
// found and revisited.
//
// # Controlling the emulator from Go tests
//
// New takes Options: the accepted tokens (Tokens, each standing for a
// Principal), the id seed, the clock, and the starting value of every knob
// below. Each flag of the msgraph-emulator command sets one field of Options
// or of Behaviour (Behaviour.RegisterFlags defines the latter, and
// Behaviour.Flags names the flags of a given Behaviour); EMULATOR.md's
// "Options at a glance" maps each to its flag. Every method below is in
// control.go. Package internal/emulator/emulatortest starts a server for a
// test, with test tokens and two groups, and closes it when the test ends.
//
// Seeding, applied to the store directly (no authentication, latency, mailbox
// limit, faults or counters) and visible at once:
//   - [Server.AddGroup] adds a group, or replaces a group's directory fields.
//   - [Server.SeedConversation] stores a conversation with its first thread and post.
//   - [Server.SeedConversations] fills a mailbox with n conversations, delivered a second apart.
//   - [Server.SeedThread] adds a thread to a conversation.
//   - [Server.SeedReply] adds a reply to a thread, locked or not.
//
// Inspection, which sees objects still invisible to clients:
//   - [Server.Options] returns the options in force, with the setters' changes.
//   - [Server.Conversation] and [Server.Conversations] return one or all of a group's conversations.
//   - [Server.Thread] and [Server.Threads] return one thread, or a conversation's threads.
//   - [Server.Posts] returns a thread's posts, oldest first.
//   - [Server.MailboxReadyAt] says when a group's mailbox starts to answer.
//   - [Server.Counters] returns the request counters (per request kind and status); [Server.ResetCounters] zeroes them.
//
// Changes made outside Terraform, as a user in another client would:
//   - [Server.DeleteConversation] deletes a conversation with its threads and posts.
//   - [Server.DeleteThread] deletes a thread (and its conversation with its last thread).
//   - [Server.SetThreadLocked] locks or unlocks a thread.
//
// Visibility (Exchange's eventual consistency):
//   - [Server.HideConversation] makes a conversation answer 404 again for a while.
//   - [Server.HideThread] does the same for a thread.
//   - [Server.SetInvisibleFor] sets how long new conversations and threads stay invisible (Options.InvisibleFor).
//
// Fault and behaviour control, for the requests that follow:
//   - [Server.SetFaults] replaces the injected faults (Options.Faults): 429/503/504 and creates whose answer is lost.
//   - [Server.SetLatency] sets the time added to every request (Options.Latency).
//   - [Server.SetMailboxConcurrency] sets the requests in flight per mailbox before 429 (Options.MailboxConcurrency).
//   - [Server.SetMaxPageSize] sets the service's page cap (Options.MaxPageSize).
//   - [Server.SetBehaviour] picks the answers where Graph's docs are silent (Options.Behaviour).
//   - [Server.SetRefuseCreateStamps] turns on or off refusing creates that carry extensions (Options.RefuseCreateStamps).
//
// Serving:
//   - [Server.ServeHTTP]: a Server is an http.Handler, to mount on an httptest.Server or a mux.
//   - [Server.Listen] serves it on a loopback address and returns the base URL with /v1.0.
//   - [Server.Close] stops what Listen started.
package emulator
