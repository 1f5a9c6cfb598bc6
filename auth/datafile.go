package auth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// readOrCreateFile returns the content of path, first creating it with
// content from generate (mode 0600, its directory 0700) when it does not
// exist. The file is written under a temporary name and then hard-linked
// into place, so a concurrent reader never sees it half-written and, when two
// processes start at once on the same data directory, both end up with the
// first one's content.
func readOrCreateFile(path string, generate func() []byte) (content []byte, created bool, err error) {
	content, err = os.ReadFile(path)
	if err == nil {
		return content, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create directory %s: %w", dir, err)
	}
	content = generate()
	tmp, err := writeTempFile(dir, filepath.Base(path), content)
	if err != nil {
		return nil, false, err
	}
	defer os.Remove(tmp)
	switch err := os.Link(tmp, path); {
	case err == nil:
		syncDir(dir)
		return content, true, nil
	case errors.Is(err, fs.ErrExist):
		// Another process created it between our read and our link.
		content, err = os.ReadFile(path)
		if err != nil {
			return nil, false, fmt.Errorf("read %s: %w", path, err)
		}
		return content, false, nil
	default:
		// Some file systems have no hard links; exclusive create is the next
		// best thing.
		if err := writeExclusive(path, content); err != nil {
			return nil, false, err
		}
		syncDir(dir)
		return content, true, nil
	}
}

func writeTempFile(dir, base string, content []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".tmp-*") // CreateTemp uses mode 0600
	if err != nil {
		return "", fmt.Errorf("create file in %s: %w", dir, err)
	}
	name := f.Name()
	_, werr := f.Write(content)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(name)
		return "", fmt.Errorf("write %s: %w", name, werr)
	}
	return name, nil
}

func writeExclusive(path string, content []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	_, werr := f.Write(content)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, werr)
	}
	return nil
}

// syncDir makes a new directory entry durable. It is best effort: not every
// platform can sync a directory, and the file itself is already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
