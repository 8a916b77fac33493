// Package graphwire holds what both Graph clients of this project need to
// say and read on the wire: the provider's client (internal/graph) and the
// conformance probes (internal/conformance), which keep a client of their
// own so that they measure a tenant independently of the provider's code.
// Both send the SdkVersion header with the msgraph-sdk-go version linked
// into the binary, read Retry-After, and rewind a request's body to send it
// again. It uses the standard library only.
package graphwire

import (
	"errors"
	"io"
	"math"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SDKModule is msgraph-sdk-go's module path, as the build info names it.
const SDKModule = "github.com/microsoftgraph/msgraph-sdk-go"

// SDKVersion is the version of msgraph-sdk-go linked into this binary, for
// the SdkVersion telemetry header the SDK's own client sends
// ("graph-go-v1.0/1.89.0, graph-go-core/…"). It is read from the build info,
// so that bumping the SDK in go.mod can never leave a stale header.
var SDKVersion = sync.OnceValue(func() string { return SDKVersionFrom(debug.ReadBuildInfo()) })

// SDKVersionFrom is msgraph-sdk-go's version in info, without the "v", or
// "" when info does not say. A go build binary lists every module it links;
// a go test binary lists none, and a module replaced by a directory has no
// version. The telemetry handler then leaves the SDK's part out of the
// header instead of claiming a version that may not be the one linked.
func SDKVersionFrom(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return ""
	}
	for _, dep := range info.Deps {
		if dep.Path != SDKModule {
			continue
		}
		if dep.Replace != nil {
			dep = dep.Replace
		}
		return strings.TrimPrefix(dep.Version, "v")
	}
	return ""
}

// RetryAfter reads a Retry-After header: a number of seconds (fractions
// allowed) or an HTTP date. A number too large for a time.Duration, infinity
// included, saturates at the largest Duration: a wait that long never fits a
// deadline, so it is refused at once instead of overflowing into a negative
// wait that retries in a tight loop. Negative numbers and NaN are ignored.
func RetryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err == nil || errors.Is(err, strconv.ErrRange) {
		if math.IsNaN(secs) || secs < 0 {
			return 0, false
		}
		if secs >= float64(math.MaxInt64)/float64(time.Second) {
			return math.MaxInt64, true
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// RewindBody readies req's body to be sent again.
func RewindBody(req *http.Request) error {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return err
		}
		req.Body = body
		return nil
	}
	if seeker, ok := req.Body.(io.Seeker); ok {
		_, err := seeker.Seek(0, io.SeekStart)
		return err
	}
	return errors.New("cannot resend a request whose body cannot be rewound")
}
