package loadbench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicksPerSecond is USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat: 100 on every Linux architecture Go supports.
const clockTicksPerSecond = 100

// cpuTime returns the CPU time (user + system, all threads) process pid has
// used so far, from /proc/<pid>/stat. Its resolution is 10 ms.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may contain spaces;
	// the fields after the last ')' are plain.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	fields := strings.Fields(string(b[i+1:]))
	// After ')' the fields start at field 3 (state); utime is field 14 and
	// stime field 15.
	const utimeIndex = 14 - 3
	if len(fields) <= utimeIndex+1 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(fields[utimeIndex], 10, 64)
	stime, err2 := strconv.ParseInt(fields[utimeIndex+1], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicksPerSecond, nil
}

// memoryStatus reads VmHWM (peak resident set) and VmRSS (current) in bytes
// from /proc/<pid>/status.
func memoryStatus(pid int) (peak, current int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmHWM" {
			peak = kb << 10
		} else {
			current = kb << 10
		}
	}
	return peak, current, sc.Err()
}

// resetPeakRSS makes VmHWM start again from the current resident set
// (Linux 4.0+), so that the next reading is the peak of what follows.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// openFilesLimit returns the soft limit on open files of process pid, from
// /proc/<pid>/limits.
func openFilesLimit(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Max open files"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			if fields[0] == "unlimited" {
				return 1 << 62, nil
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, errors.New("no open files limit in /proc limits")
}

// procSample is a process's counters at one moment.
type procSample struct {
	cpu time.Duration
}

func sampleProc(pid int) procSample {
	cpu, _ := cpuTime(pid) // a process that is gone reads as zero: the run then reports its error
	return procSample{cpu: cpu}
}
