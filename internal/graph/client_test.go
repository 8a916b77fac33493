package graph

import (
	"debug/buildinfo"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// requiredSDKVersion is msgraph-sdk-go's version as go.mod requires it,
// without the "v".
func requiredSDKVersion(t *testing.T) string {
	t.Helper()
	const path = "../../go.mod"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.ParseLax(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range mod.Require {
		if req.Mod.Path == sdkModule {
			return strings.TrimPrefix(req.Mod.Version, "v")
		}
	}
	t.Fatalf("go.mod does not require %s", sdkModule)
	return ""
}

// The binary users run reports, in the SdkVersion telemetry header, the
// msgraph-sdk-go that go.mod requires: a go build binary is built and its
// build info read as the provider reads its own.
func TestSDKVersionIsGoModsRequire(t *testing.T) {
	if testing.Short() {
		t.Skip("links the provider")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	binary := filepath.Join(t.TempDir(), "provider")
	if out, err := exec.Command(goCmd, "build", "-o", binary, "../..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	want := requiredSDKVersion(t)
	if got := sdkVersionFrom(info, true); got != want {
		t.Fatalf("the provider reports msgraph-sdk-go %q; go.mod requires %q", got, want)
	}
}

func TestSDKVersionFrom(t *testing.T) {
	t.Parallel()
	sdk := func(version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: sdkModule, Version: version, Replace: replace}
	}
	core := &debug.Module{Path: sdkModule + "-core", Version: "v1.4.0"}
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{name: "a go build binary", info: &debug.BuildInfo{Deps: []*debug.Module{core, sdk("v1.89.0", nil)}}, ok: true, want: "1.89.0"},
		{name: "a pseudo-version", info: &debug.BuildInfo{Deps: []*debug.Module{sdk("v1.89.1-0.20250101000000-abcdefabcdef", nil)}}, ok: true, want: "1.89.1-0.20250101000000-abcdefabcdef"},
		{name: "replaced by another version", info: &debug.BuildInfo{Deps: []*debug.Module{sdk("v1.89.0", &debug.Module{Path: "example.com/fork", Version: "v1.90.0"})}}, ok: true, want: "1.90.0"},
		{name: "replaced by a directory", info: &debug.BuildInfo{Deps: []*debug.Module{sdk("v1.89.0", &debug.Module{Path: "../msgraph-sdk-go"})}}, ok: true, want: ""},
		{name: "a go test binary lists no modules", info: &debug.BuildInfo{}, ok: true, want: ""},
		{name: "only the core", info: &debug.BuildInfo{Deps: []*debug.Module{core}}, ok: true, want: ""},
		{name: "no build info", ok: false, want: ""},
	}
	for _, tt := range tests {
		if got := sdkVersionFrom(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: sdkVersionFrom = %q, want %q", tt.name, got, tt.want)
		}
	}
}

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
	switch version := sdkVersion(); version {
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
