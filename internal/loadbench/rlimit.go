package loadbench

import "syscall"

// RaiseOpenFilesLimit raises this process's soft limit on open files to its
// hard limit and returns the new soft limit. Every held stream costs the
// benchmark one descriptor and the gateway two. (Go programs do this at
// start already; doing it explicitly documents the need and reports the
// value.)
func RaiseOpenFilesLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}
