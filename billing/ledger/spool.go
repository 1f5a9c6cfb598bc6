package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Segment files are named spend-<sequence number, 20 digits>.jsonl, so
// their names sort in replay order. A segment holding lines that could not
// be read is kept, renamed *.corrupt, for a person to look at.
const (
	segmentPrefix  = "spend-"
	segmentSuffix  = ".jsonl"
	corruptSuffix  = ".corrupt"
	spoolLockName  = "spool.lock"
	maxAppendBytes = 4 << 20 // the loop starts a new segment past this size
)

// segment is one spool file.
type segment struct {
	seq     uint64
	path    string
	bytes   int64
	records int64
	// pending: a synchronous spill has reserved this place in the order
	// and is still writing the file; replay waits for it.
	pending bool
	// appendable: the writer's loop created it and has not started to
	// replay it, so later batches may be appended to it.
	appendable bool
}

// spool is the on-disk queue of records the store did not take: segment
// files in one directory, replayed in sequence order. Only the writer's
// loop appends to, seals and removes segments; spills from Enqueue only
// create new ones, announced beforehand with reservePending so replay
// never overtakes them.
type spool struct {
	dir  string
	log  *slog.Logger
	lock *os.File

	mu       sync.Mutex
	segments []*segment // by seq

	bytes, records atomic.Int64
}

// openSpool opens (creating) the spool directory, locks it against a
// second writer, and lists its segments. It returns the highest sequence
// number in use. A segment cut off inside its header (a crash right after
// creating it) holds no record and is removed; a segment of another format
// or version fails the open, so that nothing is replayed wrongly.
func openSpool(dir string, log *slog.Logger) (*spool, uint64, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, fmt.Errorf("ledger spool: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, spoolLockName))
	if err != nil {
		return nil, 0, fmt.Errorf("ledger spool %s: %w", dir, err)
	}
	s := &spool{dir: dir, log: log, lock: lock}
	entries, err := os.ReadDir(dir)
	if err != nil {
		s.close()
		return nil, 0, fmt.Errorf("ledger spool: %w", err)
	}
	var maxSeq uint64
	for _, e := range entries {
		if seq, ok := parseSegmentName(strings.TrimSuffix(e.Name(), corruptSuffix)); ok {
			maxSeq = max(maxSeq, seq) // a kept *.corrupt file's number is not reused either
		}
		seq, ok := parseSegmentName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		seg := &segment{seq: seq, path: filepath.Join(dir, e.Name())}
		keep, err := s.inspect(seg)
		if err != nil {
			s.close()
			return nil, 0, fmt.Errorf("ledger spool: %s: %w", seg.path, err)
		}
		if keep {
			s.segments = append(s.segments, seg)
			s.bytes.Add(seg.bytes)
			s.records.Add(seg.records)
		}
	}
	slices.SortFunc(s.segments, func(a, b *segment) int { return compareSeq(a.seq, b.seq) })
	return s, maxSeq, nil
}

func segmentName(seq uint64) string {
	return fmt.Sprintf("%s%020d%s", segmentPrefix, seq, segmentSuffix)
}

func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutPrefix(name, segmentPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, segmentSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	seq, err := strconv.ParseUint(digits, 10, 64)
	return seq, err == nil
}

func compareSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// inspect sizes an existing segment and checks its header.
func (s *spool) inspect(seg *segment) (keep bool, err error) {
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return false, err
	}
	header, body, complete := bytes.Cut(data, []byte{'\n'})
	if !complete {
		s.log.Warn("ledger spool: removing a segment cut off in its header (a crash while it was created); it held no record",
			"segment", seg.path, "bytes", len(data))
		return false, errors.Join(os.Remove(seg.path), syncDir(s.dir))
	}
	if err := checkSpoolHeader(header); err != nil {
		return false, err
	}
	seg.bytes = int64(len(data))
	seg.records = int64(bytes.Count(body, []byte{'\n'}))
	return true, nil
}

// nonEmpty reports whether any segment exists or is being written.
func (s *spool) nonEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.segments) > 0
}

// reservePending announces that a spill will write segment seq.
func (s *spool) reservePending(seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.insertLocked(&segment{seq: seq, path: filepath.Join(s.dir, segmentName(seq)), pending: true})
}

func (s *spool) insertLocked(seg *segment) {
	i, _ := slices.BinarySearchFunc(s.segments, seg.seq, func(g *segment, seq uint64) int { return compareSeq(g.seq, seq) })
	s.segments = slices.Insert(s.segments, i, seg)
}

func (s *spool) findLocked(seq uint64) (int, bool) {
	return slices.BinarySearchFunc(s.segments, seq, func(g *segment, seq uint64) int { return compareSeq(g.seq, seq) })
}

// fillPending writes the segment a spill reserved, or withdraws the
// reservation when the write fails.
func (s *spool) fillPending(seq uint64, records []Record) error {
	seg := &segment{seq: seq, path: filepath.Join(s.dir, segmentName(seq))}
	err := s.createFile(seg, records)
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.findLocked(seq)
	if !ok {
		return errors.Join(err, fmt.Errorf("spool reservation %d vanished", seq))
	}
	if err != nil {
		s.segments = slices.Delete(s.segments, i, i+1)
		return err
	}
	s.segments[i] = seg
	s.bytes.Add(seg.bytes)
	s.records.Add(seg.records)
	return nil
}

// write stores a batch of the loop as segment seq, or appends it to the
// segment just before seq when the loop created that one after the last
// spill that preceded the batch (spillsBefore), so the order is kept.
func (s *spool) write(seq uint64, records []Record, spillsBefore uint64) error {
	s.mu.Lock()
	i, _ := s.findLocked(seq)
	var prev *segment
	if i > 0 && s.segments[i-1].appendable && s.segments[i-1].seq > spillsBefore && s.segments[i-1].bytes < maxAppendBytes {
		prev = s.segments[i-1]
	}
	s.mu.Unlock()
	if prev != nil {
		// prev cannot change under us: only the loop, which is calling,
		// appends to, seals or removes segments.
		if err := s.appendFile(prev, records); err == nil {
			return nil
		} else {
			s.log.Warn("ledger spool: cannot append to a segment; starting a new one", "segment", prev.path, "error", err)
		}
	}
	seg := &segment{seq: seq, path: filepath.Join(s.dir, segmentName(seq)), appendable: true}
	if err := s.createFile(seg, records); err != nil {
		return err
	}
	s.mu.Lock()
	s.insertLocked(seg)
	s.mu.Unlock()
	s.bytes.Add(seg.bytes)
	s.records.Add(seg.records)
	return nil
}

// createFile writes a new segment (header and records) and makes it and its
// directory entry durable; on failure no file is left.
func (s *spool) createFile(seg *segment, records []Record) (err error) {
	buf, err := encodeSpoolLines(append([]byte(nil), spoolHeaderLine...), records)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(seg.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(seg.path)
		}
	}()
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	seg.bytes, seg.records = int64(len(buf)), int64(len(records))
	return nil
}

// appendFile appends records to seg durably. After a failed write the file
// is cut back to its former length, so no torn line is left before later
// appends, and the segment is no longer appended to.
func (s *spool) appendFile(seg *segment, records []Record) (err error) {
	buf, err := encodeSpoolLines(nil, records)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(seg.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		seg.appendable = false
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Truncate(seg.bytes), f.Sync())
			seg.appendable = false
		}
		err = errors.Join(err, f.Close())
	}()
	if _, err := f.Write(buf); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	s.mu.Lock()
	seg.bytes += int64(len(buf))
	seg.records += int64(len(records))
	s.mu.Unlock()
	s.bytes.Add(int64(len(buf)))
	s.records.Add(int64(len(records)))
	return nil
}

// head returns the first segment, sealed against appends (nil when the
// spool is empty). A pending head is returned as is: its spill is still
// writing it.
func (s *spool) head() *segment {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.segments) == 0 {
		return nil
	}
	seg := s.segments[0]
	if !seg.pending {
		seg.appendable = false
	}
	return seg
}

// segmentContent is what read found in a segment.
type segmentContent struct {
	records []Record
	// badLines are the 1-based line numbers of complete lines that could
	// not be read; torn is set when the file ends inside a line.
	badLines []int
	torn     bool
}

// read parses a sealed segment.
func (s *spool) read(seg *segment) (segmentContent, error) {
	var c segmentContent
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return c, err
	}
	header, body, _ := bytes.Cut(data, []byte{'\n'})
	if err := checkSpoolHeader(header); err != nil {
		return c, err
	}
	for n := 2; len(body) > 0; n++ {
		line, rest, complete := bytes.Cut(body, []byte{'\n'})
		body = rest
		if !complete {
			c.torn = true
			break
		}
		r, err := decodeSpoolLine(line)
		if err != nil {
			c.badLines = append(c.badLines, n)
			continue
		}
		c.records = append(c.records, r)
	}
	return c, nil
}

// remove deletes a replayed segment, or keeps it renamed *.corrupt when it
// held unreadable lines.
func (s *spool) remove(seg *segment, keepAsCorrupt bool) error {
	var err error
	if keepAsCorrupt {
		err = os.Rename(seg.path, seg.path+corruptSuffix)
	} else {
		err = os.Remove(seg.path)
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.mu.Lock()
	if i, ok := s.findLocked(seg.seq); ok {
		s.segments = slices.Delete(s.segments, i, i+1)
	}
	s.mu.Unlock()
	s.bytes.Add(-seg.bytes)
	s.records.Add(-seg.records)
	return nil
}

func (s *spool) segmentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.segments)
}

// close releases the directory lock.
func (s *spool) close() error {
	if s.lock == nil {
		return nil
	}
	err := unlockDir(s.lock)
	s.lock = nil
	return err
}

// syncDir makes the creation, removal or renaming of a file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
