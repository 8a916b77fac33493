package rpcscope

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/reflect/protoregistry"
)

type key struct{}

func TestScopedContextForwardsUntilReleased(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), key{}, "v"), deadline)
	defer cancel()

	scoped := newScopedContext(parent)
	if got := scoped.Value(key{}); got != "v" {
		t.Errorf("Value while the RPC runs = %v, want v", got)
	}
	if got, ok := scoped.Deadline(); !ok || !got.Equal(deadline) {
		t.Errorf("Deadline while the RPC runs = %v, %v; want %v, true", got, ok, deadline)
	}
	if scoped.Done() != parent.Done() || scoped.Err() != nil {
		t.Errorf("Done/Err while the RPC runs are not the RPC's")
	}
	child, cancelChild := context.WithCancel(scoped)
	defer cancelChild()
	cancel()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("canceling the RPC's context did not cancel a context derived from the scoped one")
	}

	scoped.release()
	if got := scoped.Value(key{}); got != nil {
		t.Errorf("Value after release = %v, want nil", got)
	}
	if _, ok := scoped.Deadline(); ok {
		t.Error("Deadline after release reports one")
	}
	select {
	case <-scoped.Done():
	default:
		t.Error("Done after release is not closed")
	}
	if !errors.Is(scoped.Err(), context.Canceled) {
		t.Errorf("Err after release = %v, want context.Canceled", scoped.Err())
	}
}

// emptyProvider is the smallest framework provider: the leak is in the
// framework's RPC plumbing, whatever the provider serves.
type emptyProvider struct{}

func (emptyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "empty"
}
func (emptyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (emptyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (emptyProvider) Resources(context.Context) []func() resource.Resource       { return nil }
func (emptyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// liveHeapAfter serves server over gRPC as Terraform's CLI reaches it
// (go-plugin, tf6server), makes rpcs GetMetadata calls, and returns the live
// heap's growth.
func liveHeapAfter(t *testing.T, server func() tfprotov6.ProviderServer, rpcs int) uint64 {
	t.Helper()
	// The SDKs' TRACE lines would flood the test's output.
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_EMPTY"} {
		t.Setenv(name, "off")
	}
	ctx, stop := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig, 1)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = tf6server.Serve("registry.terraform.io/example/empty", server,
			tf6server.WithDebug(ctx, reattach, make(chan struct{})), tf6server.WithoutLogStderrOverride())
	}()
	defer func() {
		stop()
		<-served
	}()
	var addr string
	select {
	case rc := <-reattach:
		addr = rc.Addr.String()
	case <-time.After(30 * time.Second):
		t.Fatal("the provider server did not start")
	}
	conn, err := grpc.NewClient("unix:"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// tfplugin6's messages are internal to terraform-plugin-go, but its
	// generated code registers them.
	reqType, err := protoregistry.GlobalTypes.FindMessageByName("tfplugin6.GetMetadata.Request")
	if err != nil {
		t.Fatal(err)
	}
	respType, err := protoregistry.GlobalTypes.FindMessageByName("tfplugin6.GetMetadata.Response")
	if err != nil {
		t.Fatal(err)
	}
	invoke := func() {
		callCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := conn.Invoke(callCtx, "/tfplugin6.Provider/GetMetadata", reqType.New().Interface(), respType.New().Interface()); err != nil {
			t.Fatal(err)
		}
	}
	invoke() // connection set-up and the framework's caches
	before := liveHeap()
	for range rpcs {
		invoke()
	}
	after := liveHeap()
	if after < before {
		return 0
	}
	return after - before
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func TestWrapKeepsNothingOfFinishedRPCs(t *testing.T) {
	const rpcs = 2000
	framework := providerserver.NewProtocol6(emptyProvider{})

	// Without Wrap, as a check that this test can fail: the framework
	// keeps each RPC's context (about 13 KB) until StopProvider.
	unwrapped := liveHeapAfter(t, framework, rpcs)
	if per := unwrapped / rpcs; per < 4<<10 {
		t.Fatalf("without Wrap each RPC left %d bytes alive; the framework no longer keeps RPC contexts, and this package may be obsolete", per)
	}

	wrapped := liveHeapAfter(t, func() tfprotov6.ProviderServer { return Wrap(framework()) }, rpcs)
	if per := wrapped / rpcs; per > 512 {
		t.Errorf("with Wrap each RPC left %d bytes alive (without: %d)", per, unwrapped/rpcs)
	}
	t.Logf("live heap growth over %d RPCs: %d KB without Wrap, %d KB with it", rpcs, unwrapped>>10, wrapped>>10)
}

// Every unary RPC of the protocol is wrapped: a method that
// tfprotov6.ProviderServer gains would otherwise be promoted from the
// embedded server with its context unscoped.
func TestWrapScopesEveryUnaryRPC(t *testing.T) {
	t.Parallel()
	server := reflect.TypeFor[scopedServer]()
	iface := reflect.TypeFor[tfprotov6.ProviderServer]()
	for i := range iface.NumMethod() {
		m := iface.Method(i)
		if strings.HasSuffix(m.Type.Out(0).Elem().Name(), "ServerStream") {
			continue // streaming: the stream outlives the call
		}
		impl, _ := server.MethodByName(m.Name)
		file, _ := runtime.FuncForPC(impl.Func.Pointer()).FileLine(impl.Func.Pointer())
		if filepath.Base(file) != "rpcscope.go" {
			t.Errorf("%s is not wrapped: it is promoted from the embedded server (%s)", m.Name, file)
		}
	}
}
