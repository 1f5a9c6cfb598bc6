//go:build !unix

package ledger

import "os"

// lockDir only creates the lock file where flock is unavailable: the
// operator must not point two writers at one spool directory.
func lockDir(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

func unlockDir(f *os.File) error { return f.Close() }
