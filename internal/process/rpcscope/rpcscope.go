// Package rpcscope keeps what a provider RPC allocated from outliving the
// RPC.
//
// terraform-plugin-framework (v1.19.0) derives a cancelable context from
// every RPC's context and keeps its cancel function until StopProvider,
// which Terraform sends only on an interrupt (proto6server.Server's
// registerContext). A cancel function holds its context, and a context holds
// its parents: the RPC's loggers (a dozen terraform-plugin-log option sets
// per RPC), request-id and gRPC stream. So a provider process kept about
// 13 KB per RPC alive for the rest of its life: 45 MB of live heap, and the
// garbage collector marking all of it over and over, by the end of an apply
// of 1000 conversations (see BENCHMARKS.md).
//
// Wrap puts a thin context between each RPC's context and the framework. It
// forwards everything to the RPC's context while the RPC runs, and forgets
// it when the RPC returns (a streaming RPC: when its stream ends), so what
// the framework keeps is a few small structs per RPC.
//
// The package is a workaround: DESIGN.md (The provider process) describes
// the defect for upstream, and TestWrapKeepsNothingOfFinishedRPCs fails once
// the framework no longer keeps the contexts, which is when this package
// can go.
package rpcscope

import (
	"context"
	"iter"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Wrap returns server with the context of each of its RPCs scoped to the
// RPC: every RPC of tfprotov6.ProviderServer, and of each optional
// interface server offers. terraform-plugin-go declares those optional
// interfaces (list resources, actions, state stores) beside
// ProviderServer, and tf6server answers "not implemented" for the RPCs of
// one its server lacks; so the wrapper offers exactly the optional
// interfaces server offers, no more (it could only answer "not implemented"
// itself) and no fewer (it would hide them).
func Wrap(server tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	base := scopedServer{ProviderServer: server}
	lists, hasLists := server.(tfprotov6.ListResourceServer)
	actions, hasActions := server.(tfprotov6.ActionServer)
	states, hasStates := server.(tfprotov6.StateStoreServer)
	l, a, s := scopedLists{lists}, scopedActions{actions}, scopedStateStores{states}
	switch {
	case hasLists && hasActions && hasStates:
		return struct {
			scopedServer
			scopedLists
			scopedActions
			scopedStateStores
		}{base, l, a, s}
	case hasLists && hasActions:
		return struct {
			scopedServer
			scopedLists
			scopedActions
		}{base, l, a}
	case hasLists && hasStates:
		return struct {
			scopedServer
			scopedLists
			scopedStateStores
		}{base, l, s}
	case hasActions && hasStates:
		return struct {
			scopedServer
			scopedActions
			scopedStateStores
		}{base, a, s}
	case hasLists:
		return struct {
			scopedServer
			scopedLists
		}{base, l}
	case hasActions:
		return struct {
			scopedServer
			scopedActions
		}{base, a}
	case hasStates:
		return struct {
			scopedServer
			scopedStateStores
		}{base, s}
	default:
		return base
	}
}

// scopedServer scopes the RPCs of tfprotov6.ProviderServer.
type scopedServer struct {
	tfprotov6.ProviderServer
}

// call runs rpc with a context that stops referring to ctx when rpc returns.
func call[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	scoped := newScopedContext(ctx)
	defer scoped.release()
	return rpc(scoped, req)
}

// callStream runs a server-streaming rpc with a context that stops
// referring to ctx once the stream it returned has been iterated (the
// server goes on producing the stream after rpc returns), or when rpc
// returns no stream. results points into a stream at its iterator.
func callStream[Req, Stream, T any](ctx context.Context, req Req, rpc func(context.Context, Req) (*Stream, error),
	results func(*Stream) *iter.Seq[T],
) (*Stream, error) {
	scoped := newScopedContext(ctx)
	stream, err := rpc(scoped, req)
	if err != nil || stream == nil || *results(stream) == nil {
		scoped.release()
		return stream, err
	}
	// A copy: the stream is the server's.
	scopedStream := *stream
	seq := results(&scopedStream)
	inner := *seq
	*seq = func(yield func(T) bool) {
		defer scoped.release()
		inner(yield)
	}
	return &scopedStream, nil
}

func (s scopedServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return call(ctx, req, s.ProviderServer.GetMetadata)
}

func (s scopedServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return call(ctx, req, s.ProviderServer.GetProviderSchema)
}

func (s scopedServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return call(ctx, req, s.ProviderServer.GetResourceIdentitySchemas)
}

func (s scopedServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateProviderConfig)
}

func (s scopedServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return call(ctx, req, s.ProviderServer.ConfigureProvider)
}

func (s scopedServer) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return call(ctx, req, s.ProviderServer.StopProvider)
}

func (s scopedServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s scopedServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s scopedServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadResource)
}

func (s scopedServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s scopedServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s scopedServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s scopedServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s scopedServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return call(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s scopedServer) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

func (s scopedServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s scopedServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s scopedServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return call(ctx, req, s.ProviderServer.GetFunctions)
}

func (s scopedServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return call(ctx, req, s.ProviderServer.CallFunction)
}

func (s scopedServer) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateEphemeralResourceConfig)
}

func (s scopedServer) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.OpenEphemeralResource)
}

func (s scopedServer) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.RenewEphemeralResource)
}

func (s scopedServer) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.CloseEphemeralResource)
}

// scopedLists scopes the RPCs of tfprotov6.ListResourceServer.
type scopedLists struct {
	lists tfprotov6.ListResourceServer
}

func (s scopedLists) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return call(ctx, req, s.lists.ValidateListResourceConfig)
}

func (s scopedLists) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return callStream(ctx, req, s.lists.ListResource, listResults)
}

func listResults(s *tfprotov6.ListResourceServerStream) *iter.Seq[tfprotov6.ListResourceResult] {
	return &s.Results
}

// scopedActions scopes the RPCs of tfprotov6.ActionServer.
type scopedActions struct {
	actions tfprotov6.ActionServer
}

func (s scopedActions) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return call(ctx, req, s.actions.ValidateActionConfig)
}

func (s scopedActions) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return call(ctx, req, s.actions.PlanAction)
}

func (s scopedActions) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return callStream(ctx, req, s.actions.InvokeAction, actionEvents)
}

func actionEvents(s *tfprotov6.InvokeActionServerStream) *iter.Seq[tfprotov6.InvokeActionEvent] {
	return &s.Events
}

// scopedStateStores scopes the RPCs of tfprotov6.StateStoreServer.
type scopedStateStores struct {
	states tfprotov6.StateStoreServer
}

func (s scopedStateStores) ValidateStateStoreConfig(ctx context.Context, req *tfprotov6.ValidateStateStoreConfigRequest) (*tfprotov6.ValidateStateStoreConfigResponse, error) {
	return call(ctx, req, s.states.ValidateStateStoreConfig)
}

func (s scopedStateStores) ConfigureStateStore(ctx context.Context, req *tfprotov6.ConfigureStateStoreRequest) (*tfprotov6.ConfigureStateStoreResponse, error) {
	return call(ctx, req, s.states.ConfigureStateStore)
}

func (s scopedStateStores) ReadStateBytes(ctx context.Context, req *tfprotov6.ReadStateBytesRequest) (*tfprotov6.ReadStateBytesStream, error) {
	return callStream(ctx, req, s.states.ReadStateBytes, stateChunks)
}

func stateChunks(s *tfprotov6.ReadStateBytesStream) *iter.Seq[tfprotov6.ReadStateByteChunk] {
	return &s.Chunks
}

// WriteStateBytes streams from the client: the server reads the chunks
// before it returns, so the RPC ends when the call does.
func (s scopedStateStores) WriteStateBytes(ctx context.Context, req *tfprotov6.WriteStateBytesStream) (*tfprotov6.WriteStateBytesResponse, error) {
	return call(ctx, req, s.states.WriteStateBytes)
}

func (s scopedStateStores) GetStates(ctx context.Context, req *tfprotov6.GetStatesRequest) (*tfprotov6.GetStatesResponse, error) {
	return call(ctx, req, s.states.GetStates)
}

func (s scopedStateStores) DeleteState(ctx context.Context, req *tfprotov6.DeleteStateRequest) (*tfprotov6.DeleteStateResponse, error) {
	return call(ctx, req, s.states.DeleteState)
}

func (s scopedStateStores) LockState(ctx context.Context, req *tfprotov6.LockStateRequest) (*tfprotov6.LockStateResponse, error) {
	return call(ctx, req, s.states.LockState)
}

func (s scopedStateStores) UnlockState(ctx context.Context, req *tfprotov6.UnlockStateRequest) (*tfprotov6.UnlockStateResponse, error) {
	return call(ctx, req, s.states.UnlockState)
}

// scopedContext forwards to the RPC's context until released, and is a
// canceled context without values afterwards: by then the RPC is over, and
// only the framework's kept cancel functions still refer to it.
type scopedContext struct {
	rpc atomic.Pointer[rpcContext]
}

// rpcContext boxes the interface so that it can be swapped atomically.
type rpcContext struct{ context.Context }

func newScopedContext(ctx context.Context) *scopedContext {
	s := &scopedContext{}
	s.rpc.Store(&rpcContext{ctx})
	return s
}

func (s *scopedContext) release() { s.rpc.Store(nil) }

// closed is the Done channel of a released context.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

func (s *scopedContext) Deadline() (time.Time, bool) {
	if rpc := s.rpc.Load(); rpc != nil {
		return rpc.Deadline()
	}
	return time.Time{}, false
}

func (s *scopedContext) Done() <-chan struct{} {
	if rpc := s.rpc.Load(); rpc != nil {
		return rpc.Done()
	}
	return closed
}

func (s *scopedContext) Err() error {
	if rpc := s.rpc.Load(); rpc != nil {
		return rpc.Err()
	}
	return context.Canceled
}

func (s *scopedContext) Value(key any) any {
	if rpc := s.rpc.Load(); rpc != nil {
		return rpc.Value(key)
	}
	return nil
}
