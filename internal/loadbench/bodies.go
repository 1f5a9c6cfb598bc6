package loadbench

import (
	"encoding/json"
	"fmt"
	"time"
)

// The prompt every request sends: a typical short chat turn. The simulator's
// answer is a function of the messages, so direct and gateway runs get the
// same answer (about 30 tokens unary; about 60 events streamed).
const (
	systemPrompt = "You are a helpful assistant."
	userPrompt   = "Write a short answer about gateways, please."
)

type chatBody struct {
	Model         string         `json:"model"`
	Messages      []chatMessage  `json:"messages"`
	MaxTokens     int            `json:"max_tokens,omitempty"`
	Stream        bool           `json:"stream,omitempty"`
	StreamOptions *streamOptions `json:"stream_options,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// requestBody is the JSON body of a chat completion for model.
func requestBody(model string, stream bool) []byte {
	return marshalBody(model, userPrompt, stream, 0)
}

// heldStreamBody asks for a stream of about maxTokens content chunks with
// chunkDelay between chunks, through a simulator directive in the user
// message (which the gateway forwards like any text).
func heldStreamBody(model string, chunkDelay time.Duration, maxTokens int) []byte {
	prompt := fmt.Sprintf("%s [[sim chunk_delay=%s]]", userPrompt, chunkDelay)
	return marshalBody(model, prompt, true, maxTokens)
}

func marshalBody(model, prompt string, stream bool, maxTokens int) []byte {
	b := chatBody{
		Model:     model,
		Messages:  []chatMessage{{Role: "system", Content: systemPrompt}, {Role: "user", Content: prompt}},
		MaxTokens: maxTokens,
		Stream:    stream,
	}
	if stream {
		b.StreamOptions = &streamOptions{IncludeUsage: true}
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err) // a fixed struct of strings always marshals
	}
	return out
}
