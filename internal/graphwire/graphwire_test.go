package graphwire

import (
	"context"
	"debug/buildinfo"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

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
		if req.Mod.Path == SDKModule {
			return strings.TrimPrefix(req.Mod.Version, "v")
		}
	}
	t.Fatalf("go.mod does not require %s", SDKModule)
	return ""
}

// The binaries users run report, in the SdkVersion telemetry header, the
// msgraph-sdk-go that go.mod requires: each is built and its build info
// read as SDKVersion reads its own.
func TestSDKVersionIsGoModsRequire(t *testing.T) {
	if testing.Short() {
		t.Skip("links the provider and the conformance probes")
	}
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	want := requiredSDKVersion(t)
	for _, pkg := range []string{"../..", "../../cmd/msgraph-conformance"} {
		binary := filepath.Join(t.TempDir(), "binary")
		if out, err := exec.Command(goCmd, "build", "-o", binary, pkg).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
		info, err := buildinfo.ReadFile(binary)
		if err != nil {
			t.Fatal(err)
		}
		if got := SDKVersionFrom(info, true); got != want {
			t.Fatalf("%s reports msgraph-sdk-go %q; go.mod requires %q", pkg, got, want)
		}
	}
}

func TestSDKVersionFrom(t *testing.T) {
	t.Parallel()
	sdk := func(version string, replace *debug.Module) *debug.Module {
		return &debug.Module{Path: SDKModule, Version: version, Replace: replace}
	}
	core := &debug.Module{Path: SDKModule + "-core", Version: "v1.4.0"}
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
		if got := SDKVersionFrom(tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: SDKVersionFrom = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"2", 2 * time.Second, true},
		{" 1.5 ", 1500 * time.Millisecond, true},
		{"0.5", 500 * time.Millisecond, true},
		{"3600", time.Hour, true},
		{"86400000", 86400000 * time.Second, true},
		// Too large for a Duration: saturated, never negative.
		{"9223372037", math.MaxInt64, true},
		{"99999999999", math.MaxInt64, true},
		{"1e300", math.MaxInt64, true},
		{"1e400", math.MaxInt64, true},
		{"Inf", math.MaxInt64, true},
		{"+Infinity", math.MaxInt64, true},
		{"-Inf", 0, false},
		{"NaN", 0, false},
		{"-5", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
	if got, ok := RetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); !ok || got < 58*time.Minute || got > time.Hour {
		t.Errorf("an HTTP date an hour ahead gives %v, %v", got, ok)
	}
}

// readCloseSeeker is a body that can be rewound only by seeking.
type readCloseSeeker struct{ *strings.Reader }

func (readCloseSeeker) Close() error { return nil }

func TestRewindBody(t *testing.T) {
	t.Parallel()
	withGetBody, err := http.NewRequest(http.MethodPost, "https://graph.microsoft.com/v1.0/groups/g/conversations", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	seekable := withGetBody.Clone(context.Background())
	seekable.GetBody = nil
	seekable.Body = readCloseSeeker{strings.NewReader("payload")}
	for name, req := range map[string]*http.Request{"GetBody": withGetBody, "Seek": seekable} {
		if _, err := io.ReadAll(req.Body); err != nil {
			t.Fatal(err)
		}
		if err := RewindBody(req); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if again, _ := io.ReadAll(req.Body); string(again) != "payload" {
			t.Fatalf("%s: a rewound body reads %q", name, again)
		}
	}

	for _, body := range []io.ReadCloser{nil, http.NoBody} {
		if err := RewindBody(&http.Request{Body: body}); err != nil {
			t.Fatalf("a request without a body cannot be rewound: %v", err)
		}
	}
	if err := RewindBody(&http.Request{Body: io.NopCloser(strings.NewReader("x"))}); err == nil {
		t.Fatal("a body that can be neither re-read nor sought was taken as rewound")
	}
}
