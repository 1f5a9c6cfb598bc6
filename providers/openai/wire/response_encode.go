package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// AppendChatResponse appends r to dst as the shim sends a completion: the
// bytes of a json.Encoder with HTML escaping off, without the trailing
// newline and without reflection. What it does not write itself (a value
// encoding/json refuses, such as invalid raw JSON) is handed to that
// encoder, so the result and the errors are always the encoder's.
func AppendChatResponse(dst []byte, r *ChatResponse) ([]byte, error) {
	w := jsonWriter{b: dst, ok: true}
	w.chatResponse(r)
	if w.ok {
		return w.b, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return dst, err
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

func (w *jsonWriter) chatResponse(r *ChatResponse) {
	w.b = append(w.b, `{"id":`...)
	w.str(r.ID)
	w.b = append(w.b, `,"object":`...)
	w.str(r.Object)
	w.b = append(w.b, `,"created":`...)
	w.b = strconv.AppendInt(w.b, r.Created, 10)
	w.b = append(w.b, `,"model":`...)
	w.str(r.Model)
	w.b = append(w.b, `,"choices":`...)
	if r.Choices == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range r.Choices {
			c := &r.Choices[i]
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, `{"index":`...)
			w.b = strconv.AppendInt(w.b, int64(c.Index), 10)
			w.b = append(w.b, `,"message":`...)
			w.message(&c.Message)
			w.b = append(w.b, `,"finish_reason":`...)
			w.str(c.FinishReason)
			if len(c.Logprobs) > 0 {
				w.b = append(w.b, `,"logprobs":`...)
				w.raw(c.Logprobs)
			}
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	if r.Usage != nil {
		w.b = append(w.b, `,"usage":`...)
		w.b = appendUsage(w.b, r.Usage)
	}
	if r.SystemFingerprint != "" {
		w.b = append(w.b, `,"system_fingerprint":`...)
		w.str(r.SystemFingerprint)
	}
	if r.ServiceTier != "" {
		w.b = append(w.b, `,"service_tier":`...)
		w.str(r.ServiceTier)
	}
	if len(r.Error) > 0 {
		w.b = append(w.b, `,"error":`...)
		w.raw(r.Error)
	}
	w.b = append(w.b, '}')
}
