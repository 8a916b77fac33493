package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// addGraphError reports a failed Graph call in one uniform shape: what
// happened, what the user can do, then Graph's error code, message and
// request-id, which Microsoft support asks for. The Graph layer has already
// cut Graph's texts to a few KB and the bearer token out of them.
func addGraphError(diags *diag.Diagnostics, summary, happened string, err error, advice string) {
	var b strings.Builder
	b.WriteString(happened)
	if advice != "" {
		b.WriteString("\n\n")
		b.WriteString(advice)
	}
	b.WriteString("\n\n")
	var ge *graph.Error
	if errors.As(err, &ge) {
		if ge.StatusCode != 0 {
			fmt.Fprintf(&b, "HTTP status: %d\n", ge.StatusCode)
		}
		if ge.Code != "" {
			fmt.Fprintf(&b, "Graph error code: %s\n", ge.Code)
		}
		if ge.Message != "" {
			fmt.Fprintf(&b, "Graph error message: %s\n", ge.Message)
		}
		if ge.Err != nil {
			fmt.Fprintf(&b, "Error: %s\n", ge.Cause())
		}
		if ge.RetryAfter > 0 {
			fmt.Fprintf(&b, "Graph asked to wait %s before trying again (Retry-After: %s), longer than the operation's timeout "+
				"allows, so the provider did not wait. Try again later.\n", graph.DescribeWait(ge.RetryAfter), ge.RetryAfterHeader)
		}
		if ge.RequestID != "" {
			fmt.Fprintf(&b, "request-id: %s\n", ge.RequestID)
		}
		if ge.ClientRequestID != "" {
			fmt.Fprintf(&b, "client-request-id: %s\n", ge.ClientRequestID)
		}
		if ge.Date != "" {
			fmt.Fprintf(&b, "date: %s\n", ge.Date)
		}
		fmt.Fprintf(&b, "attempts: %d", max(ge.Attempts, 1))
	} else {
		b.WriteString("Error: ")
		b.WriteString(err.Error())
	}
	diags.AddError(summary, strings.TrimRight(b.String(), "\n"))
}
