package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc CPU times; it is 100 on
// every architecture Go supports on Linux.
const clockTicks = 100

// procWatch follows the provider processes the CLI starts (it starts a new
// one for each graph walk: validate, plan, apply) by polling /proc: each
// process's VmHWM (peak resident set) and CPU time, as last seen before it
// exited. VmHWM only grows, so the last reading misses at most what was
// allocated in the last polling interval of a process's life.
type procWatch struct {
	parent   int
	binary   string
	interval time.Duration
	// seen is written by the polling goroutine only, and read by finish
	// after that goroutine has ended.
	seen map[int]*procSample
	stop chan struct{}
	done chan struct{}
}

type procSample struct {
	hwm int64 // bytes
	cpu time.Duration
}

// watchProviders polls the children of parent whose executable is binary
// (an absolute path without symlinks).
func watchProviders(parent int, binary string, interval time.Duration) *procWatch {
	w := &procWatch{
		parent: parent, binary: binary, interval: interval,
		seen: make(map[int]*procSample), stop: make(chan struct{}), done: make(chan struct{}),
	}
	go w.loop()
	return w
}

func (w *procWatch) loop() {
	defer close(w.done)
	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	for {
		w.poll()
		select {
		case <-w.stop:
			return
		case <-ticker.C:
		}
	}
}

// finish stops polling and returns the largest peak RSS, the number of
// provider processes and their total CPU time.
func (w *procWatch) finish() (peak int64, processes int, cpu time.Duration) {
	close(w.stop)
	<-w.done
	for _, s := range w.seen {
		peak = max(peak, s.hwm)
		cpu += s.cpu
	}
	return peak, len(w.seen), cpu
}

func (w *procWatch) poll() {
	for _, pid := range children(w.parent) {
		s := w.seen[pid]
		if s == nil {
			// A child between fork and exec still shows the CLI's own
			// executable; it is looked at again on the next poll.
			if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err != nil || exe != w.binary {
				continue
			}
			s = &procSample{}
			w.seen[pid] = s
		}
		if hwm, ok := readHWM(pid); ok {
			s.hwm = max(s.hwm, hwm)
		}
		if cpu, ok := readCPU(pid); ok {
			s.cpu = max(s.cpu, cpu)
		}
	}
}

// children lists the child processes of pid from
// /proc/<pid>/task/*/children.
func children(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// readHWM reads VmHWM from /proc/<pid>/status, in bytes.
func readHWM(pid int) (int64, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, false
	}
	return parseHWM(data)
}

func parseHWM(status []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fields := strings.Fields(rest)
			if len(fields) != 2 || fields[1] != "kB" {
				return 0, false
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// readCPU reads user+system CPU time from /proc/<pid>/stat.
func readCPU(pid int) (time.Duration, bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	return parseStatCPU(data)
}

func parseStatCPU(stat []byte) (time.Duration, bool) {
	// The command name (field 2) is in parentheses and may hold spaces.
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is the state (field 3); utime and stime are fields 14, 15.
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, true
}

// machineBusy is the CPU time all cores spent not idle, from /proc/stat.
func machineBusy() (time.Duration, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, false
	}
	var busy int64
	for i, f := range fields[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, false
		}
		// idle and iowait are fields 4 and 5; guest time is already
		// counted in user time.
		if i == 3 || i == 4 || i >= 8 {
			continue
		}
		busy += v
	}
	return time.Duration(busy) * time.Second / clockTicks, true
}

// selfCPU is the CPU time of this process (the emulator, the watchers).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
