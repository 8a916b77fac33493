//go:build !msgraphbench

package process

// startProfiling does nothing: profiling is compiled in only with the
// msgraphbench build tag (profile.go), with which make bench builds the
// provider it measures.
func startProfiling() (stop func()) { return func() {} }
