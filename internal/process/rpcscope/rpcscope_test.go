package rpcscope

import (
	"context"
	"errors"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
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

// scopes pairs each interface of terraform-plugin-go's provider server,
// ProviderServer first and then the optional ones, with the type of Wrap
// that scopes its RPCs.
var scopes = []struct {
	iface, scope reflect.Type
}{
	{reflect.TypeFor[tfprotov6.ProviderServer](), reflect.TypeFor[scopedServer]()},
	{reflect.TypeFor[tfprotov6.ListResourceServer](), reflect.TypeFor[scopedLists]()},
	{reflect.TypeFor[tfprotov6.ActionServer](), reflect.TypeFor[scopedActions]()},
	{reflect.TypeFor[tfprotov6.StateStoreServer](), reflect.TypeFor[scopedStateStores]()},
}

// optionalInterfaces are the RPC sets a server may offer beside
// ProviderServer.
func optionalInterfaces() []reflect.Type {
	var ifaces []reflect.Type
	for _, s := range scopes[1:] {
		ifaces = append(ifaces, s.iface)
	}
	return ifaces
}

// Every RPC of the protocol is wrapped: a method that one of the server's
// interfaces gains would otherwise be promoted from the embedded server with
// its context unscoped.
func TestWrapScopesEveryRPC(t *testing.T) {
	t.Parallel()
	for _, s := range scopes {
		for i := range s.iface.NumMethod() {
			m := s.iface.Method(i)
			impl, ok := s.scope.MethodByName(m.Name)
			if !ok {
				t.Errorf("%s has no %s", s.scope.Name(), m.Name)
				continue
			}
			file, _ := runtime.FuncForPC(impl.Func.Pointer()).FileLine(impl.Func.Pointer())
			if filepath.Base(file) != "rpcscope.go" {
				t.Errorf("%s.%s is not wrapped: it is promoted from the embedded server (%s)", s.iface.Name(), m.Name, file)
			}
		}
	}
}

// The optional interfaces terraform-plugin-go declares are those scopes
// knows: each is an interface type that embeds ProviderServer and one set of
// RPCs (ProviderServerWithListResource embeds ListResourceServer, ...), read
// from the package's source. A set that a new version adds must be added to
// Wrap and to scopes; one that moves into ProviderServer must leave them.
func TestWrapKnowsEveryOptionalInterface(t *testing.T) {
	t.Parallel()
	pkg, err := build.Import(reflect.TypeFor[tfprotov6.ProviderServer]().PkgPath(), ".", 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]string{} // optional RPC set -> the interface declaring it
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		file, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				typ := spec.(*ast.TypeSpec)
				iface, ok := typ.Type.(*ast.InterfaceType)
				if !ok {
					continue
				}
				var embedsProviderServer bool
				var sets []string
				for _, field := range iface.Methods.List {
					if ident, ok := field.Type.(*ast.Ident); ok && len(field.Names) == 0 {
						if ident.Name == "ProviderServer" {
							embedsProviderServer = true
						} else {
							sets = append(sets, ident.Name)
						}
					}
				}
				if embedsProviderServer && typ.Name.Name != "ProviderServer" {
					for _, set := range sets {
						declared[set] = typ.Name.Name
					}
				}
			}
		}
	}
	if len(declared) == 0 {
		t.Fatalf("found no optional interface in %s: the test no longer reads the package right", pkg.Dir)
	}
	known := map[string]bool{}
	for _, iface := range optionalInterfaces() {
		known[iface.Name()] = true
		if _, ok := declared[iface.Name()]; !ok {
			t.Errorf("tfprotov6 no longer declares an optional interface embedding %s: if ProviderServer has it now, "+
				"remove it from Wrap and from scopes", iface.Name())
		}
	}
	for set, declaredBy := range declared {
		if !known[set] {
			t.Errorf("tfprotov6.%s adds %s, which Wrap does not offer: a server offering it would answer \"not implemented\" "+
				"behind the wrapper; scope its RPCs in Wrap and add it to scopes", declaredBy, set)
		}
	}
}

// Fakes offering each combination of the optional interfaces, for the type
// checks below; their methods are never called.
var fakeServers = []tfprotov6.ProviderServer{
	struct{ tfprotov6.ProviderServer }{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ActionServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.StateStoreServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
		tfprotov6.ActionServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
		tfprotov6.StateStoreServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ActionServer
		tfprotov6.StateStoreServer
	}{},
	struct {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
		tfprotov6.ActionServer
		tfprotov6.StateStoreServer
	}{},
}

// offered is the set of optional interfaces server implements, as a bit
// mask in the order of optionalInterfaces.
func offered(server tfprotov6.ProviderServer) int {
	mask := 0
	for i, iface := range optionalInterfaces() {
		if reflect.TypeOf(server).Implements(iface) {
			mask |= 1 << i
		}
	}
	return mask
}

// tf6server asks the server it serves for each optional interface and
// answers "not implemented" without one: the wrapper must offer exactly
// what the server it wraps offers. The framework's server offers them all.
func TestWrapOffersTheOptionalInterfacesOfTheServer(t *testing.T) {
	t.Parallel()
	servers := append([]tfprotov6.ProviderServer{providerserver.NewProtocol6(emptyProvider{})()}, fakeServers...)
	covered := map[int]bool{}
	for _, server := range fakeServers {
		covered[offered(server)] = true
	}
	if want := 1 << len(optionalInterfaces()); len(covered) != want {
		t.Fatalf("fakeServers cover %d combinations of the optional interfaces, want all %d", len(covered), want)
	}
	for _, server := range servers {
		want, got := offered(server), offered(Wrap(server))
		for i, iface := range optionalInterfaces() {
			switch has := want&(1<<i) != 0; {
			case has && got&(1<<i) == 0:
				t.Errorf("%T offers %s, Wrap of it does not: its RPCs would answer \"not implemented\"", server, iface.Name())
			case !has && got&(1<<i) != 0:
				t.Errorf("%T does not offer %s, Wrap of it does", server, iface.Name())
			}
		}
	}
}

// listServer records the context of its RPCs; ListResource streams two
// results.
type listServer struct {
	unary, stream context.Context
	during        []any
	fail          bool
}

func (l *listServer) ValidateListResourceConfig(ctx context.Context, _ *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	l.unary = ctx
	return &tfprotov6.ValidateListResourceConfigResponse{}, nil
}

func (l *listServer) ListResource(ctx context.Context, _ *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	l.stream = ctx
	if l.fail {
		return nil, errors.New("refused")
	}
	return &tfprotov6.ListResourceServerStream{Results: func(yield func(tfprotov6.ListResourceResult) bool) {
		for range 2 {
			l.during = append(l.during, ctx.Value(key{}))
			if !yield(tfprotov6.ListResourceResult{}) {
				return
			}
		}
	}}, nil
}

// A unary RPC's context is released when it returns; a streaming RPC's
// when its stream ends, since the server produces the stream after the call
// returned, or at once when there is no stream.
func TestWrapScopesStreamsToTheStream(t *testing.T) {
	t.Parallel()
	ctx := context.WithValue(context.Background(), key{}, "v")
	released := func(ctx context.Context) bool {
		return ctx.Value(key{}) == nil && errors.Is(ctx.Err(), context.Canceled)
	}

	fake := &listServer{}
	wrapped, ok := Wrap(struct {
		tfprotov6.ProviderServer
		tfprotov6.ListResourceServer
	}{nil, fake}).(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatal("Wrap hides ListResourceServer")
	}
	if _, err := wrapped.ValidateListResourceConfig(ctx, &tfprotov6.ValidateListResourceConfigRequest{}); err != nil {
		t.Fatal(err)
	}
	if !released(fake.unary) {
		t.Error("ValidateListResourceConfig's context outlives the call")
	}

	stream, err := wrapped.ListResource(ctx, &tfprotov6.ListResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if released(fake.stream) {
		t.Fatal("ListResource's context was released before its stream was read")
	}
	results := 0
	for range stream.Results {
		results++
	}
	if results != 2 || !reflect.DeepEqual(fake.during, []any{"v", "v"}) {
		t.Errorf("the stream gave %d results and saw %v of the RPC's context; want 2 and [v v]", results, fake.during)
	}
	if !released(fake.stream) {
		t.Error("ListResource's context outlives its stream")
	}

	// A consumer that stops early ends the stream too.
	fake.during = nil
	stream, err = wrapped.ListResource(ctx, &tfprotov6.ListResourceRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for range stream.Results {
		break
	}
	if !released(fake.stream) {
		t.Error("ListResource's context outlives a stream read in part")
	}

	fake.fail = true
	if _, err := wrapped.ListResource(ctx, &tfprotov6.ListResourceRequest{}); err == nil {
		t.Fatal("the server's error was lost")
	}
	if !released(fake.stream) {
		t.Error("the context of a ListResource that returned no stream outlives the call")
	}
}
