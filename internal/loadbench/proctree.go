package loadbench

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"
)

// A peer gateway may serve from several processes (a Python server's
// workers, say), so its CPU time and memory are summed over the process and
// its descendants. Switchboard's gateway is one process and keeps the
// cheaper single-process readings.

// processTree returns root and every descendant of it alive now, from the
// parent ids in /proc/<pid>/stat.
func processTree(root int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return []int{root}
	}
	children := map[int][]int{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentPID(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	tree := []int{root}
	for i := 0; i < len(tree) && i < 10_000; i++ {
		tree = append(tree, children[tree[i]]...)
	}
	return tree
}

// parentPID reads field 4 of /proc/<pid>/stat.
func parentPID(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may contain anything
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(b[i+1:])) // state, ppid, ...
	if len(fields) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(fields[1])
	return ppid, err == nil
}

// treeCPU is the CPU time the tree under root has used, summed over the
// processes alive now.
func treeCPU(root int) time.Duration {
	var total time.Duration
	for _, pid := range processTree(root) {
		if cpu, err := cpuTime(pid); err == nil {
			total += cpu
		}
	}
	return total
}

// resetTreePeakRSS resets the peak resident set of every process of the
// tree; the first error is returned.
func resetTreePeakRSS(root int) error {
	var first error
	for _, pid := range processTree(root) {
		if err := resetPeakRSS(pid); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// treePeakRSS sums the peak resident sets of the tree's processes: the
// peak of the sum is at most that (the processes need not peak together).
func treePeakRSS(root int) (int64, error) {
	var total int64
	for i, pid := range processTree(root) {
		peak, _, err := memoryStatus(pid)
		if err != nil {
			if i == 0 {
				return 0, err
			}
			continue // a child gone since the listing
		}
		total += peak
	}
	return total, nil
}

// The readings of the process serving target t, whose (root) pid is pid:
// the whole tree for a peer, the one process otherwise.

func serverSample(t *target, pid int) procSample {
	if t.peer != nil {
		return procSample{cpu: treeCPU(pid)}
	}
	return sampleProc(pid)
}

func resetServerPeakRSS(t *target, pid int) error {
	if t.peer != nil {
		return resetTreePeakRSS(pid)
	}
	return resetPeakRSS(pid)
}

func serverPeakRSS(t *target, pid int) (int64, error) {
	if t.peer != nil {
		return treePeakRSS(pid)
	}
	peak, _, err := memoryStatus(pid)
	return peak, err
}
