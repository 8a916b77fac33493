package graph

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graphwire"
)

// Whatever the build info says, the telemetry header is the SDK's own
// shape: with a version, graph-go-v1.0/<version> before the core; without
// one, the core alone, never an empty or made-up version.
func TestSDKVersionHeader(t *testing.T) {
	t.Parallel()
	var header string
	c, err := NewClient(Options{
		Endpoint:   DefaultEndpoint,
		Credential: StaticToken(testToken),
		Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			header = req.Header.Get("SdkVersion")
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader(`{"value":[]}`)), Request: req}, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only the request matters here, not what is made of the answer.
	_, _ = c.ListConversations(testContext(t), "g")
	if header == "" {
		t.Fatal("no request was sent")
	}
	switch version := graphwire.SDKVersion(); version {
	case "":
		if !strings.HasPrefix(header, "graph-go-core/") {
			t.Fatalf("without a known SDK version the header is %q, want the core alone", header)
		}
	default:
		if !strings.HasPrefix(header, "graph-go-v1.0/"+version+", graph-go-core/") {
			t.Fatalf("the header is %q, want graph-go-v1.0/%s first", header, version)
		}
	}
}
