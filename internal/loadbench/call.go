package loadbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// result is what one request measured.
type result struct {
	// latency is from the (intended) start to the last byte of the answer.
	latency time.Duration
	// ttfb is from the (intended) start to the first byte of the body: for
	// a stream, the first event, not the headers (the simulator sends its
	// headers before the first token, the gateway with it).
	ttfb time.Duration
	// events is the number of server-sent events, [DONE] included (0 for
	// unary).
	events int
	err    error
}

// requestTimeout bounds every request of the benchmark.
const requestTimeout = 60 * time.Second

var readBuffers = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// call sends one chat completion and reads the whole answer. start is the
// moment latency counts from: now for a closed loop, the scheduled time for
// an open loop. A stream must end with data: [DONE]; a unary answer must be
// a completion.
func call(ctx context.Context, client *http.Client, t *target, body []byte, stream bool, start time.Time) result {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	req.Header["Content-Type"] = []string{"application/json"}
	if t.authorization != "" {
		req.Header["Authorization"] = []string{t.authorization}
	}
	for k, v := range t.header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return result{err: fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))}
	}
	bp := readBuffers.Get().(*[]byte)
	defer readBuffers.Put(bp)
	r := readAnswer(resp.Body, *bp, start)
	if r.err == nil && !r.complete(stream) {
		r.err = errIncomplete
	}
	return r.result
}

var errIncomplete = errors.New("answer incomplete: no [DONE] or no finish_reason")

// answer is a read body with what is needed to check it.
type answer struct {
	result
	sawFinish bool   // unary: "finish_reason" seen
	tail      []byte // the last bytes, for the [DONE] check
}

var (
	doneTail     = []byte("data: [DONE]\n\n")
	finishMarker = []byte(`"finish_reason"`)
)

func (a *answer) complete(stream bool) bool {
	if stream {
		return bytes.HasSuffix(a.tail, doneTail)
	}
	return a.sawFinish
}

// readAnswer reads body to the end, timing the first and last bytes and
// counting SSE events (blank-line terminated) across reads.
func readAnswer(body io.Reader, buf []byte, start time.Time) answer {
	var a answer
	var tail [32]byte
	tailLen := 0
	prevNewline := false
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if a.ttfb == 0 {
				a.ttfb = time.Since(start)
			}
			chunk := buf[:n]
			a.events += bytes.Count(chunk, []byte("\n\n"))
			if prevNewline && chunk[0] == '\n' {
				a.events++
			}
			prevNewline = chunk[n-1] == '\n'
			if !a.sawFinish {
				a.sawFinish = bytes.Contains(chunk, finishMarker) || straddles(tail[:tailLen], chunk, finishMarker)
			}
			tailLen = keepTail(tail[:], tailLen, chunk)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			a.err = err
			break
		}
	}
	a.latency = time.Since(start)
	a.tail = tail[:tailLen]
	return a
}

// straddles reports whether marker spans the boundary between the bytes
// seen before (ending with tail) and chunk.
func straddles(tail, chunk, marker []byte) bool {
	var window [64]byte
	k := len(marker) - 1
	before := tail[max(0, len(tail)-k):]
	after := chunk[:min(len(chunk), k)]
	w := append(append(window[:0], before...), after...)
	return bytes.Contains(w, marker)
}

// keepTail keeps the last len(tail) bytes seen in tail.
func keepTail(tail []byte, have int, chunk []byte) int {
	if len(chunk) >= len(tail) {
		return copy(tail, chunk[len(chunk)-len(tail):])
	}
	keep := min(have, len(tail)-len(chunk))
	copy(tail, tail[have-keep:have])
	copy(tail[keep:], chunk)
	return keep + len(chunk)
}
