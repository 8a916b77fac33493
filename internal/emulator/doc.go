// Package emulator is an in-memory Microsoft Graph v1.0 server for group
// conversations, threads and posts, meant to run on loopback in tests and demos.
//
// It is a second, independent implementation of the Graph behaviour described in
// shared/graph-conversations.md, written from that spec and not from the
// provider's own Graph layer. That independence is the point: a test that passes
// through both the provider client and this emulator checks the client against
// the documented service, not against itself. For the same reason the package
// uses the standard library only and imports nothing else from this repository.
//
// Where the spec marks a behaviour as inferred ([inf]) or undocumented, the
// emulator picks one answer and says so in a comment next to the code that
// implements it, so the assumption can be found and revisited.
package emulator
