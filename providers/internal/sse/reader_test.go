package sse_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/switchboard-gw/switchboard/providers/internal/sse"
)

type event struct {
	name, data string
	atEOF      bool
}

func readAll(t *testing.T, r io.Reader) ([]event, error) {
	t.Helper()
	rd := sse.NewReader(r)
	var out []event
	for {
		ev, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, err
		}
		out = append(out, event{string(ev.Name), string(ev.Data), ev.AtEOF})
	}
}

func TestReaderToleratesWhatServersSend(t *testing.T) {
	body := ": keep-alive comment\r\n" +
		"event: message_start\r\ndata: {\"a\":1}   \r\n\r\n" + // CRLF, padded data
		"event: ping\ndata: {\"type\": \"ping\"}\n\n" +
		"id: 7\nretry: 100\ndata: line one\ndata:line two\n\n" + // multi-line data, no space after colon
		"event: named-without-data\n\n" + // no data: not dispatched, name forgotten
		"data: [DONE]\n\n" +
		"data: {\"last\":true}" // cut by the end of the body
	got, err := readAll(t, iotest.OneByteReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	want := []event{
		{"message_start", `{"a":1}   `, false},
		{"ping", `{"type": "ping"}`, false},
		{"", "line one\nline two", false},
		{"", "[DONE]", false},
		{"", `{"last":true}`, true},
	}
	if len(got) != len(want) {
		t.Fatalf("events = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReaderLongLinesAndLimits(t *testing.T) {
	long := strings.Repeat("x", 100<<10) // longer than the reader's buffer
	got, err := readAll(t, strings.NewReader("data: "+long+"\n\n"))
	if err != nil || len(got) != 1 || got[0].data != long {
		t.Fatalf("long line: %d events, err %v", len(got), err)
	}
	huge := strings.NewReader("data: " + strings.Repeat("y", sse.MaxEventBytes+10) + "\n\n")
	if _, err := readAll(t, huge); !errors.Is(err, sse.ErrEventTooLarge) {
		t.Fatalf("oversized event: %v", err)
	}
	broken := io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(io.ErrUnexpectedEOF))
	got, err = readAll(t, broken)
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 1 {
		t.Fatalf("read error: %+v %v", got, err)
	}
}
