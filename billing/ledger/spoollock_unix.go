//go:build unix

package ledger

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on path (created if missing),
// so two writers never share a spool directory: they would replay and
// delete each other's segments.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("the spool directory is in use by another ledger writer (another gateway process?); give each instance its own")
		}
		return nil, err
	}
	return f, nil
}

func unlockDir(f *os.File) error {
	return errors.Join(syscall.Flock(int(f.Fd()), syscall.LOCK_UN), f.Close())
}
