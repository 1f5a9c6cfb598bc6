//go:build !unix

package storetest

// processCPUNanos is not measured on this platform.
func processCPUNanos() (int64, bool) { return 0, false }
