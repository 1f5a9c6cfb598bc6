package anthropic

import (
	"encoding/base64"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
)

// Id prefixes of the Anthropic format, and what this front door adds to
// another provider's tool call id (see the package documentation).
const (
	messageIDPrefix = "msg_"
	toolIDPrefix    = "toolu_"
	wrappedToolID   = "toolu_sb_"
	// signatureMark separates a wrapped id from the tool call's signature
	// (Gemini's thoughtSignature, which Gemini wants back with the call),
	// base64url-encoded so the id keeps to Anthropic's [a-zA-Z0-9_-].
	signatureMark = "_sbsig_"
)

// messageID is the id of a message answering a provider's response or
// stream id; fallback (the request id) stands in when the provider gave
// none.
func messageID(providerID, fallback string) string {
	switch {
	case strings.HasPrefix(providerID, messageIDPrefix):
		return providerID
	case providerID != "":
		return messageIDPrefix + providerID
	}
	return messageIDPrefix + strings.TrimPrefix(fallback, "req_")
}

// toolUseID is the tool_use id the client sees for a provider's tool call
// id and signature.
func toolUseID(providerID, signature string) string {
	if signature == "" && (providerID == "" || strings.HasPrefix(providerID, toolIDPrefix)) {
		return providerID
	}
	id := wrappedToolID + providerID
	if signature != "" {
		id += signatureMark + base64.RawURLEncoding.EncodeToString([]byte(signature))
	}
	return id
}

// providerToolID undoes toolUseID. An id that does not decode is kept as
// it is: the client made it up, and the provider will say what it thinks.
func providerToolID(id string) (providerID, signature string) {
	rest, ok := strings.CutPrefix(id, wrappedToolID)
	if !ok || rest == "" {
		return id, ""
	}
	plain, encoded, signed := strings.Cut(rest, signatureMark)
	if !signed {
		return rest, ""
	}
	sig, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil || plain == "" {
		return id, ""
	}
	return plain, string(sig)
}

// unwrapToolIDs gives the tool calls and tool results of a decoded request
// the ids (and signatures) their provider issued.
func unwrapToolIDs(req *llm.Request) {
	for i := range req.Messages {
		m := &req.Messages[i]
		if m.ToolCallID != "" {
			m.ToolCallID, _ = providerToolID(m.ToolCallID)
		}
		for j := range m.ToolCalls {
			tc := &m.ToolCalls[j]
			id, sig := providerToolID(tc.ID)
			tc.ID = id
			if sig != "" {
				tc.Signature = sig
			}
		}
	}
}

// wrapToolIDs gives the tool_use blocks of an answer the ids the client
// sees; calls are the answer's tool calls, in the order of the blocks.
func wrapToolIDs(blocks []wire.ContentBlock, calls []llm.ToolCall) {
	k := 0
	for i := range blocks {
		if blocks[i].Type != wire.BlockToolUse {
			continue
		}
		sig := ""
		if k < len(calls) {
			sig = calls[k].Signature
		}
		k++
		blocks[i].ID = toolUseID(blocks[i].ID, sig)
	}
}

// outgoingChunk returns c with the ids the client sees. The tool call
// deltas are copied before an id changes: the stream may still hold them.
func outgoingChunk(c llm.Chunk, fallbackID string) llm.Chunk {
	c.ID = messageID(c.ID, fallbackID)
	copied := false
	for i := range c.ToolCalls {
		d := &c.ToolCalls[i]
		if d.ID == "" {
			continue // a later delta of a call already started
		}
		id := toolUseID(d.ID, d.Signature)
		if id == d.ID {
			continue
		}
		if !copied {
			c.ToolCalls = append([]llm.ToolCallDelta(nil), c.ToolCalls...)
			d, copied = &c.ToolCalls[i], true
		}
		d.ID = id
	}
	return c
}
