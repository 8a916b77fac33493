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
package emulator
