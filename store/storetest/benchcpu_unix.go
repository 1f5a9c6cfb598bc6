//go:build unix

package storetest

import "syscall"

// processCPUNanos is the CPU time (user and system) the process has used:
// the write benchmarks report it per record besides wall time, which also
// counts the commit's fsync wait, CPU that the gateway's requests lose.
func processCPUNanos() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
