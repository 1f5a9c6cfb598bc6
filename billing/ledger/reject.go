package ledger

import (
	"errors"
	"os"
	"path/filepath"
)

// rejectedName is the file, in the spool directory, of records the store
// refused as invalid: kept in the spool's line format for a person to
// inspect, never replayed.
const rejectedName = "rejected.jsonl"

// reject sets aside a record the store refused as invalid. Normalize and
// Validate are meant to make this impossible; it is the safety net that
// keeps one such record from blocking the ledger.
func (w *Writer) reject(r Record, cause error) {
	w.rejected.Add(1)
	w.log.Error("ledger: the store refused a spend record as invalid; keeping it in the rejected file",
		"request_id", r.RequestID, "attempt", r.Attempt, "file", filepath.Join(w.opts.SpoolDir, rejectedName), "error", cause)
	if err := appendRejected(filepath.Join(w.opts.SpoolDir, rejectedName), r); err != nil {
		w.dropped.Add(1)
		w.log.Error("ledger: cannot write the rejected file; the record is lost", "request_id", r.RequestID, "attempt", r.Attempt, "error", err)
	}
}

func appendRejected(path string, r Record) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	var buf []byte
	if info.Size() == 0 {
		buf = append(buf, spoolHeaderLine...)
	}
	if buf, err = encodeSpoolLines(buf, []Record{r}); err != nil {
		return err
	}
	if _, err := f.Write(buf); err != nil {
		return err
	}
	return f.Sync()
}
