package emulator

import (
	"fmt"
	"net/http"
	"strconv"
)

// apiError is a Graph error answer: an HTTP status plus the code and message
// that go into the error envelope. Handlers return it instead of writing
// responses themselves, so every failure leaves through writeError and gets the
// same envelope and headers.
type apiError struct {
	status  int
	code    string
	message string
	// header holds extra response headers such as Retry-After or Allow.
	header map[string]string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message)
}

func newAPIError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// The messages below are the ones observed from the real service where they
// are known (EMULATOR.md lists the sources); the others are marked as
// assumptions.

func errItemNotFound() *apiError {
	return newAPIError(http.StatusNotFound, "ErrorItemNotFound", "The specified object was not found in the store.")
}

func errIDMalformed() *apiError {
	return newAPIError(http.StatusBadRequest, "ErrorInvalidIdMalformed", "Id is malformed.")
}

func errAccessDenied() *apiError {
	return newAPIError(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
}

// errODataNotSupported is what Exchange answers for verbs it does not support
// on a known resource (PATCH conversation, POST posts, PATCH/DELETE post).
func errODataNotSupported(allow string) *apiError {
	e := newAPIError(http.StatusMethodNotAllowed, "ErrorInvalidRequest", "The OData request is not supported.")
	e.header = map[string]string{"Allow": allow}
	return e
}

// errDirectoryMethodNotAllowed is the directory-style 405 used on /groups
// routes, which Graph serves from Entra ID rather than Exchange. The message
// is an assumption.
func errDirectoryMethodNotAllowed(allow string) *apiError {
	e := newAPIError(http.StatusMethodNotAllowed, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
	e.header = map[string]string{"Allow": allow}
	return e
}

func errInvalidRequest(message string) *apiError {
	return newAPIError(http.StatusBadRequest, "ErrorInvalidRequest", message)
}

func errBadRequest(message string) *apiError {
	return newAPIError(http.StatusBadRequest, "BadRequest", message)
}

func errSegmentNotFound(segment string) *apiError {
	return errBadRequest(fmt.Sprintf("Resource not found for the segment '%s'.", segment))
}

func errGroupNotFound(groupID string) *apiError {
	return newAPIError(http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", groupID))
}

func errInvalidObjectID(groupID string) *apiError {
	return newAPIError(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid object identifier '%s'.", groupID))
}

// errMailboxNotEnabled is Exchange's answer for a mailbox it cannot serve
// through REST. It has been seen for a group without a usable mailbox
// (microsoft-graph-docs#13552) and for user mailboxes.
func errMailboxNotEnabled() *apiError {
	return newAPIError(http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
}

func errThrottled(retryAfterSeconds int) *apiError {
	e := newAPIError(http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
	e.header = map[string]string{"Retry-After": strconv.Itoa(retryAfterSeconds)}
	return e
}

func errUnauthorized(message string) *apiError {
	return newAPIError(http.StatusUnauthorized, "InvalidAuthenticationToken", message)
}

// errPayloadTooLarge uses a code and message of our own; Graph's wording for
// oversized request bodies is not known.
func errPayloadTooLarge() *apiError {
	return newAPIError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
		fmt.Sprintf("The request body exceeds the maximum allowed size of %d bytes.", maxRequestBodyBytes))
}

// errUnsupportedEncoding makes the Kiota compression handler resend the body
// uncompressed, which is how it reacts to 415.
func errUnsupportedEncoding(encoding string) *apiError {
	return newAPIError(http.StatusUnsupportedMediaType, "UnsupportedMediaType",
		fmt.Sprintf("Content-Encoding '%s' is not supported; send gzip or an uncompressed body.", encoding))
}

func errUnknownProperty(entity entityType, property string) *apiError {
	message := fmt.Sprintf("Could not find a property named '%s' on type '%s'.", property, entity.typeName)
	if entity.directory {
		return newAPIError(http.StatusBadRequest, "Request_BadRequest", "Parsing OData Select and Expand failed: "+message)
	}
	return newAPIError(http.StatusBadRequest, "RequestBroker--ParseUri", message)
}

func errInternal() *apiError {
	return newAPIError(http.StatusInternalServerError, "InternalServerError", "An internal server error occurred in the emulator.")
}

// writeError writes the Graph error envelope (Graph's docs: concepts/errors).
func (c *call) writeError(e *apiError) {
	for k, v := range e.header {
		c.w.Header().Set(k, v)
	}
	payload := object{
		{"error", object{
			{"code", e.code},
			{"message", e.message},
			{"innerError", object{
				{"date", c.now.UTC().Format("2006-01-02T15:04:05")},
				{"request-id", c.requestID},
				{"client-request-id", c.clientRequestID},
			}},
		}},
	}
	c.writeBody(e.status, "application/json", payload)
}
