package wire

import "encoding/json"

// Stream event types (the "type" of each data: payload, also sent as the
// SSE event: name).
const (
	EventMessageStart      = "message_start"
	EventContentBlockStart = "content_block_start"
	EventContentBlockDelta = "content_block_delta"
	EventContentBlockStop  = "content_block_stop"
	EventMessageDelta      = "message_delta"
	EventMessageStop       = "message_stop"
	EventPing              = "ping"
	EventError             = "error"
)

// Content block delta types.
const (
	DeltaText      = "text_delta"
	DeltaInputJSON = "input_json_delta"
	DeltaThinking  = "thinking_delta"
	DeltaSignature = "signature_delta"
)

// StreamEvent is the payload of one server-sent event. Type says which
// fields are set:
//
//	message_start         Message (content empty, usage so far)
//	content_block_start   Index, ContentBlock (text "", tool_use input {})
//	content_block_delta   Index, Delta (text_delta, input_json_delta, thinking_delta, signature_delta)
//	content_block_stop    Index
//	message_delta         Delta (stop_reason, stop_sequence), Usage (cumulative)
//	message_stop, ping    nothing
//	error                 Error
type StreamEvent struct {
	Type         string            `json:"type"`
	Message      *MessagesResponse `json:"message,omitempty"`
	Index        int               `json:"index"`
	ContentBlock *ContentBlock     `json:"content_block,omitempty"`
	Delta        *EventDelta       `json:"delta,omitempty"`
	Usage        *DeltaUsage       `json:"usage,omitempty"`
	Error        *ErrorDetail      `json:"error,omitempty"`
}

// EventDelta is the delta of a content_block_delta (Type and one of Text,
// PartialJSON, Thinking, Signature) or of a message_delta (StopReason,
// StopSequence; no Type).
type EventDelta struct {
	Type         string  `json:"type,omitempty"`
	Text         string  `json:"text,omitempty"`
	PartialJSON  string  `json:"partial_json,omitempty"`
	Thinking     string  `json:"thinking,omitempty"`
	Signature    string  `json:"signature,omitempty"`
	StopReason   *string `json:"stop_reason,omitempty"`
	StopSequence *string `json:"stop_sequence,omitempty"`
}

// DeltaUsage is a message_delta's usage. It is cumulative; recent API
// versions repeat the input and cache counts, older ones send only
// output_tokens, hence the pointers.
type DeltaUsage struct {
	InputTokens              *int64 `json:"input_tokens,omitempty"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens,omitempty"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens,omitempty"`
	OutputTokens             int64  `json:"output_tokens"`
}

// The per-type shapes of an event, for MarshalJSON.
type (
	typeOnlyEvent struct {
		Type string `json:"type"`
	}
	messageStartEvent struct {
		Type    string            `json:"type"`
		Message *MessagesResponse `json:"message"`
	}
	blockStartEvent struct {
		Type         string        `json:"type"`
		Index        int           `json:"index"`
		ContentBlock *ContentBlock `json:"content_block"`
	}
	blockDeltaEvent struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
		Delta any    `json:"delta"`
	}
	blockStopEvent struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	messageDeltaEvent struct {
		Type  string            `json:"type"`
		Delta messageDeltaDelta `json:"delta"`
		Usage *DeltaUsage       `json:"usage"`
	}
	messageDeltaDelta struct {
		StopReason   *string `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}
	errorEvent struct {
		Type  string       `json:"type"`
		Error *ErrorDetail `json:"error"`
	}
	textDelta struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	inputJSONDelta struct {
		Type        string `json:"type"`
		PartialJSON string `json:"partial_json"`
	}
	thinkingDelta struct {
		Type     string `json:"type"`
		Thinking string `json:"thinking"`
	}
	signatureDelta struct {
		Type      string `json:"type"`
		Signature string `json:"signature"`
	}
)

// MarshalJSON writes the fields of the event's type only, with the ones the
// API always sends (index 0, partial_json "", stop_sequence null).
func (e StreamEvent) MarshalJSON() ([]byte, error) {
	switch e.Type {
	case EventMessageStart:
		return json.Marshal(messageStartEvent{e.Type, e.Message})
	case EventContentBlockStart:
		return json.Marshal(blockStartEvent{e.Type, e.Index, e.ContentBlock})
	case EventContentBlockDelta:
		var d any
		if e.Delta != nil {
			switch e.Delta.Type {
			case DeltaText:
				d = textDelta{e.Delta.Type, e.Delta.Text}
			case DeltaInputJSON:
				d = inputJSONDelta{e.Delta.Type, e.Delta.PartialJSON}
			case DeltaThinking:
				d = thinkingDelta{e.Delta.Type, e.Delta.Thinking}
			case DeltaSignature:
				d = signatureDelta{e.Delta.Type, e.Delta.Signature}
			default:
				d = e.Delta
			}
		}
		return json.Marshal(blockDeltaEvent{e.Type, e.Index, d})
	case EventContentBlockStop:
		return json.Marshal(blockStopEvent{e.Type, e.Index})
	case EventMessageDelta:
		var d messageDeltaDelta
		if e.Delta != nil {
			d = messageDeltaDelta{e.Delta.StopReason, e.Delta.StopSequence}
		}
		u := e.Usage
		if u == nil {
			u = &DeltaUsage{}
		}
		return json.Marshal(messageDeltaEvent{e.Type, d, u})
	case EventError:
		return json.Marshal(errorEvent{e.Type, e.Error})
	case EventMessageStop, EventPing:
		return json.Marshal(typeOnlyEvent{e.Type})
	}
	type plain StreamEvent
	return json.Marshal(plain(e))
}
