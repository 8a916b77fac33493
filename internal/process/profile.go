//go:build msgraphbench

package process

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// envProfileDir names a directory in which each provider process writes a
// CPU profile of its life, cpu-<pid>.pprof, a heap profile taken as it
// exits, heap-<pid>.pprof (its alloc_space shows what allocated the most
// over the process's life, its inuse_space what was still live), and
// runtime-<pid>.txt with the runtime's memory statistics and goroutines, for
// performance investigations (make bench's -provider-profile). The CLI
// starts a provider process per graph walk, so one command leaves several of
// each; `go tool pprof` merges them. Unset, nothing is profiled.
//
// Only builds with the msgraphbench tag have this hook (make bench builds
// the provider it measures with it); in the default build startProfiling
// does nothing (profile_default.go), and no setting can turn profiling on.
const envProfileDir = "MSGRAPH_PROVIDER_PROFILE_DIR"

// startProfiling starts the CPU profile when envProfileDir is set and
// returns the function that writes the profiles out.
func startProfiling() (stop func()) {
	dir := os.Getenv(envProfileDir)
	if dir == "" {
		return func() {}
	}
	path := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	cpu, err := os.Create(path("cpu"))
	if err != nil {
		log.Printf("[WARN] %s: %v", envProfileDir, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.Printf("[WARN] %s: %v", envProfileDir, err)
		_ = cpu.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		heap, err := os.Create(path("heap"))
		if err != nil {
			log.Printf("[WARN] %s: %v", envProfileDir, err)
			return
		}
		defer heap.Close()
		// The profile's in-use figures are those of the last completed
		// cycle but one: two collections make them the live heap at exit.
		runtime.GC()
		runtime.GC()
		if err := pprof.Lookup("heap").WriteTo(heap, 0); err != nil {
			log.Printf("[WARN] %s: %v", envProfileDir, err)
		}
		if g, err := os.Create(filepath.Join(dir, fmt.Sprintf("runtime-%d.txt", os.Getpid()))); err == nil {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			// Sys is what the runtime obtained from the OS: the heap's high
			// water mark, stacks and runtime metadata.
			fmt.Fprintf(g, "Sys %d\nHeapSys %d\nHeapReleased %d\nStackSys %d\nGCSys %d\nOtherSys %d\nNumGC %d\nTotalAlloc %d\n"+
				"NumGoroutine %d\n\n", m.Sys, m.HeapSys, m.HeapReleased, m.StackSys, m.GCSys, m.OtherSys, m.NumGC, m.TotalAlloc,
				runtime.NumGoroutine())
			_ = pprof.Lookup("goroutine").WriteTo(g, 1)
			_ = g.Close()
		}
	}
}
