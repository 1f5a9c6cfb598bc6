package wire_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/internal/fixtures"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
)

// The recorded stream's bytes decode into the recorded frames, and
// re-encoding each frame gives back exactly the recorded bytes: the framing,
// header encoding and both checksums match Bedrock's.
func TestFixtureFramesRoundTripByteForByte(t *testing.T) {
	tr := fixtures.Load(t, "bedrock", "converseStream-text")
	raw := tr.Response.RawBody()
	if len(raw) != 6616 {
		t.Fatalf("recorded stream is %d bytes", len(raw))
	}
	want := recordedFrames(t, tr)
	got := readFrames(t, raw)
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	var again []byte
	for i := range got {
		f := &got[i]
		if len(f.Headers) != len(want[i].Headers) {
			t.Fatalf("frame %d headers = %v, want %v", i, f.Headers, want[i].Headers)
		}
		for name, v := range want[i].Headers {
			if f.Header(name) != v {
				t.Errorf("frame %d %s = %q, want %q", i, name, f.Header(name), v)
			}
		}
		if !sameJSON(t, f.Payload, want[i].Payload) {
			t.Errorf("frame %d payload = %s, want %s", i, f.Payload, want[i].Payload)
		}
		again = wire.AppendFrame(again, f.Headers, f.Payload)
	}
	if !bytes.Equal(again, raw) {
		t.Fatal("re-encoded frames differ from the recorded bytes")
	}
}

func TestFrameReaderChecksCRCs(t *testing.T) {
	good := eventFrame(wire.EventMessageStart, `{"p":"abc","role":"assistant"}`)
	for _, tc := range []struct {
		name   string
		offset int // byte to corrupt
		want   error
	}{
		{"prelude", 5, wire.ErrPreludeChecksum},
		{"prelude checksum", 9, wire.ErrPreludeChecksum},
		{"header byte", 20, wire.ErrMessageChecksum},
		{"payload byte", len(good) - 8, wire.ErrMessageChecksum},
		{"message checksum", len(good) - 1, wire.ErrMessageChecksum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Clone(good)
			bad[tc.offset] ^= 0x20
			_, err := wire.NewFrameReader(bytes.NewReader(bad)).Next()
			var fe *wire.FrameError
			if !errors.As(err, &fe) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want a FrameError %v", err, tc.want)
			}
		})
	}
}

func TestFrameReaderEnds(t *testing.T) {
	two := append(eventFrame(wire.EventMessageStart, `{"role":"assistant"}`), eventFrame(wire.EventMessageStop, `{"stopReason":"end_turn"}`)...)
	fr := wire.NewFrameReader(bytes.NewReader(two))
	for i := 0; i < 2; i++ {
		if _, err := fr.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
	for _, cut := range []int{3, 12, 30, len(two) - 1} {
		fr := wire.NewFrameReader(bytes.NewReader(two[:cut]))
		var err error
		for err == nil {
			_, err = fr.Next()
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("cut at %d: %v, want io.ErrUnexpectedEOF", cut, err)
		}
	}
}

func TestFrameReaderRefusesImpossibleLengths(t *testing.T) {
	for _, tc := range []struct{ total, headers uint32 }{
		{8, 0},                         // shorter than a prelude and a checksum
		{wire.MaxMessageLength + 1, 0}, // over the limit
		{100, 90},                      // headers longer than the message allows
	} {
		b := binary.BigEndian.AppendUint32(nil, tc.total)
		b = binary.BigEndian.AppendUint32(b, tc.headers)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
		_, err := wire.NewFrameReader(bytes.NewReader(b)).Next()
		if !errors.Is(err, wire.ErrFrameLength) {
			t.Errorf("total %d headers %d: %v, want ErrFrameLength", tc.total, tc.headers, err)
		}
	}
}

// Every header value type of the format is read, as a string.
func TestFrameReaderReadsEveryHeaderType(t *testing.T) {
	var h []byte
	add := func(name string, typ byte, value []byte) {
		h = append(h, byte(len(name)))
		h = append(h, name...)
		h = append(h, typ)
		h = append(h, value...)
	}
	add("t", 0, nil)
	add("f", 1, nil)
	add("b", 2, []byte{0xff})
	add("s", 3, []byte{0x01, 0x00})
	add("i", 4, []byte{0, 0, 0, 42})
	add("l", 5, []byte{0, 0, 0, 0, 0, 0, 0, 7})
	add("y", 6, []byte{0, 2, 'h', 'i'})
	add("str", 7, []byte{0, 3, 'a', 'b', 'c'})
	add("ts", 8, []byte{0, 0, 0, 0, 0, 0, 0x03, 0xe8})
	add("u", 9, bytes.Repeat([]byte{0xab}, 16))
	payload := []byte(`{}`)
	total := 12 + len(h) + len(payload) + 4
	msg := binary.BigEndian.AppendUint32(nil, uint32(total))
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(h)))
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	msg = append(append(msg, h...), payload...)
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	f, err := wire.NewFrameReader(bytes.NewReader(msg)).Next()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"t": "true", "f": "false", "b": "-1", "s": "256", "i": "42", "l": "7", "y": "aGk=", "str": "abc",
		"ts": "1970-01-01T00:00:01Z", "u": "abababababababababababababababab"}
	for name, v := range want {
		if got := f.Header(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
}
