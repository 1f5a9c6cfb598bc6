package wire

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"time"
)

// The application/vnd.amazon.eventstream framing of ConverseStream. Each
// message is
//
//	total length   uint32, big-endian: the whole message, these 4 bytes included
//	headers length uint32
//	prelude CRC    CRC-32 (IEEE) of the 8 bytes above
//	headers        name length (1 byte), name, value type (1 byte), value
//	payload        the event's JSON
//	message CRC    CRC-32 of everything before it
//
// A header value is typed: 0 true, 1 false, 2 byte, 3 int16, 4 int32,
// 5 int64, 6 bytes and 7 string (both with a 2-byte length), 8 timestamp
// (int64 milliseconds), 9 UUID (16 bytes). Bedrock sends string headers
// only (:event-type, :content-type, :message-type, :exception-type); the
// reader accepts every type and presents values as strings.

// Limits of the format: a larger message is a broken stream, not a large
// answer.
const (
	MaxMessageLength = 16 << 20
	MaxHeadersLength = 128 << 10
	preludeLength    = 12
	minMessageLength = preludeLength + 4
)

// Well-known headers.
const (
	HeaderEventType     = ":event-type"
	HeaderContentType   = ":content-type"
	HeaderMessageType   = ":message-type"
	HeaderExceptionType = ":exception-type"
	HeaderErrorCode     = ":error-code"
	HeaderErrorMessage  = ":error-message"
)

// Message types (the :message-type header).
const (
	MessageTypeEvent     = "event"
	MessageTypeException = "exception"
	MessageTypeError     = "error"
)

// Header is one header of a frame, its value as a string.
type Header struct {
	Name  string
	Value string
}

// Frame is one decoded message of an event stream.
type Frame struct {
	Headers []Header
	Payload []byte
}

// Header returns the value of the header name, or "".
func (f *Frame) Header(name string) string {
	for i := range f.Headers {
		if f.Headers[i].Name == name {
			return f.Headers[i].Value
		}
	}
	return ""
}

// Errors of a malformed stream. A FrameReader returns them wrapped in a
// *FrameError; errors.Is finds them.
var (
	ErrPreludeChecksum = errors.New("event stream: prelude checksum mismatch")
	ErrMessageChecksum = errors.New("event stream: message checksum mismatch")
	ErrFrameLength     = errors.New("event stream: invalid message length")
	ErrHeader          = errors.New("event stream: malformed header")
)

// FrameError is a malformed frame: a checksum that does not match, an
// impossible length, or headers that do not parse.
type FrameError struct {
	Offset int64 // where the frame starts in the stream
	Err    error
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("%v (frame at byte %d)", e.Err, e.Offset)
}

func (e *FrameError) Unwrap() error { return e.Err }

var crcTable = crc32.MakeTable(crc32.IEEE)

// FrameReader reads the frames of an event stream one at a time, checking
// both checksums of each.
type FrameReader struct {
	r      io.Reader
	buf    []byte
	offset int64
	frame  Frame
}

// NewFrameReader reads frames from r.
func NewFrameReader(r io.Reader) *FrameReader { return &FrameReader{r: r} }

// Next returns the next frame, valid until the following call. It returns
// io.EOF at a clean end between frames, io.ErrUnexpectedEOF when the stream
// ends inside one, a *FrameError for a malformed frame, and the reader's
// error otherwise.
func (fr *FrameReader) Next() (*Frame, error) {
	var prelude [preludeLength]byte
	n, err := io.ReadFull(fr.r, prelude[:])
	if err != nil {
		if errors.Is(err, io.EOF) && n == 0 {
			return nil, io.EOF
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	start := fr.offset
	total := binary.BigEndian.Uint32(prelude[0:4])
	hlen := binary.BigEndian.Uint32(prelude[4:8])
	if crc32.Checksum(prelude[:8], crcTable) != binary.BigEndian.Uint32(prelude[8:12]) {
		return nil, &FrameError{Offset: start, Err: ErrPreludeChecksum}
	}
	if total < minMessageLength || total > MaxMessageLength || hlen > MaxHeadersLength || hlen > total-minMessageLength {
		return nil, &FrameError{Offset: start, Err: ErrFrameLength}
	}
	if cap(fr.buf) < int(total) {
		fr.buf = make([]byte, total, max(int(total), 2*cap(fr.buf)))
	}
	msg := fr.buf[:total]
	copy(msg, prelude[:])
	if _, err := io.ReadFull(fr.r, msg[preludeLength:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	fr.offset += int64(total)
	body := msg[:total-4]
	if crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(msg[total-4:]) {
		return nil, &FrameError{Offset: start, Err: ErrMessageChecksum}
	}
	headers, err := parseHeaders(msg[preludeLength:preludeLength+hlen], fr.frame.Headers[:0])
	if err != nil {
		return nil, &FrameError{Offset: start, Err: err}
	}
	fr.frame = Frame{Headers: headers, Payload: msg[preludeLength+hlen : total-4]}
	return &fr.frame, nil
}

// Header value types.
const (
	headerTrue      = 0
	headerFalse     = 1
	headerByte      = 2
	headerInt16     = 3
	headerInt32     = 4
	headerInt64     = 5
	headerBytes     = 6
	headerString    = 7
	headerTimestamp = 8
	headerUUID      = 9
)

func parseHeaders(b []byte, dst []Header) ([]Header, error) {
	for len(b) > 0 {
		nlen := int(b[0])
		if nlen == 0 || len(b) < 1+nlen+1 {
			return nil, ErrHeader
		}
		name := intern(b[1 : 1+nlen])
		typ := b[1+nlen]
		b = b[2+nlen:]
		var value string
		var size int
		switch typ {
		case headerTrue:
			value = "true"
		case headerFalse:
			value = "false"
		case headerByte:
			size = 1
		case headerInt16:
			size = 2
		case headerInt32:
			size = 4
		case headerInt64, headerTimestamp:
			size = 8
		case headerUUID:
			size = 16
		case headerBytes, headerString:
			if len(b) < 2 {
				return nil, ErrHeader
			}
			vlen := int(binary.BigEndian.Uint16(b))
			if len(b) < 2+vlen {
				return nil, ErrHeader
			}
			raw := b[2 : 2+vlen]
			if typ == headerString {
				value = intern(raw)
			} else {
				value = base64.StdEncoding.EncodeToString(raw)
			}
			b = b[2+vlen:]
		default:
			return nil, ErrHeader
		}
		if size > 0 {
			if len(b) < size {
				return nil, ErrHeader
			}
			value = fixedHeaderValue(typ, b[:size])
			b = b[size:]
		}
		dst = append(dst, Header{Name: name, Value: value})
	}
	return dst, nil
}

func fixedHeaderValue(typ byte, v []byte) string {
	switch typ {
	case headerByte:
		return strconv.Itoa(int(int8(v[0])))
	case headerInt16:
		return strconv.Itoa(int(int16(binary.BigEndian.Uint16(v))))
	case headerInt32:
		return strconv.Itoa(int(int32(binary.BigEndian.Uint32(v))))
	case headerInt64:
		return strconv.FormatInt(int64(binary.BigEndian.Uint64(v)), 10)
	case headerTimestamp:
		return time.UnixMilli(int64(binary.BigEndian.Uint64(v))).UTC().Format(time.RFC3339Nano)
	}
	return hex.EncodeToString(v) // UUID
}

// AppendFrame appends one message with string headers and the payload to
// dst, both checksums computed. It is how the simulator writes its streams.
func AppendFrame(dst []byte, headers []Header, payload []byte) []byte {
	hlen := 0
	for i := range headers {
		hlen += 1 + len(headers[i].Name) + 1 + 2 + len(headers[i].Value)
	}
	total := preludeLength + hlen + len(payload) + 4
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:start+8], crcTable))
	for i := range headers {
		h := &headers[i]
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = append(dst, headerString)
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.Value)))
		dst = append(dst, h.Value...)
	}
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], crcTable))
}

// EventHeaders returns the headers Bedrock sends on an event frame, in its
// order.
func EventHeaders(eventType string) []Header {
	return []Header{
		{HeaderEventType, eventType},
		{HeaderContentType, "application/json"},
		{HeaderMessageType, MessageTypeEvent},
	}
}

// ExceptionHeaders returns the headers of an exception frame, in the order
// AWS services send them.
func ExceptionHeaders(exceptionType string) []Header {
	return []Header{
		{HeaderExceptionType, exceptionType},
		{HeaderContentType, "application/json"},
		{HeaderMessageType, MessageTypeException},
	}
}

// intern returns the strings every frame repeats without allocating them.
func intern(b []byte) string {
	switch string(b) { // no allocation: the compiler compares in place
	case HeaderEventType:
		return HeaderEventType
	case HeaderContentType:
		return HeaderContentType
	case HeaderMessageType:
		return HeaderMessageType
	case HeaderExceptionType:
		return HeaderExceptionType
	case "application/json":
		return "application/json"
	case MessageTypeEvent:
		return MessageTypeEvent
	case MessageTypeException:
		return MessageTypeException
	case EventMessageStart:
		return EventMessageStart
	case EventContentBlockStart:
		return EventContentBlockStart
	case EventContentBlockDelta:
		return EventContentBlockDelta
	case EventContentBlockStop:
		return EventContentBlockStop
	case EventMessageStop:
		return EventMessageStop
	case EventMetadata:
		return EventMetadata
	}
	return string(b)
}
