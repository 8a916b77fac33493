// Package conformance probes a Microsoft Graph service for the behaviour of
// group conversations that Graph's documentation leaves open, and names the
// msgraph-emulator option that reproduces what it saw.
//
// The same probes run against a real tenant and against the emulator, over
// HTTP through msgraph-sdk-go (its groups and models packages with an adapter
// from msgraph-sdk-go-core, as the provider's Graph layer uses it). Against
// the emulator they check themselves: started in each of the modes listed by
// Modes, the emulator must be identified as exactly that mode, so the code
// that reads a tenant is exercised by every CI run.
//
// Against a tenant the suite creates only conversations (and, when asked,
// groups) whose names start with "msgraph-conformance" and a run id, deletes
// them when it ends, however it ends, and touches nothing else. It keeps at
// most four requests in flight, honours Retry-After, and sends the token only
// to the endpoint's own origin.
package conformance
