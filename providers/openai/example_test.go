package openai_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai"
)

// Example calls an OpenAI-compatible server (here a stand-in) with a
// canonical request and reads the canonical answer.
func Example() {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{
		  "id": "chatcmpl-123", "object": "chat.completion", "created": 1741569952, "model": "gpt-4.1-2025-04-14",
		  "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I assist you today?", "refusal": null},
		               "logprobs": null, "finish_reason": "stop"}],
		  "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
		            "prompt_tokens_details": {"cached_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0}}
		}`)
	}))
	defer upstream.Close()

	cfg, _ := openai.Preset("openai") // base URL, auth style and request options of the vendor
	cfg.BaseURL = upstream.URL + "/v1"
	cfg.APIKey = "sk-example"
	p, err := openai.New(cfg)
	if err != nil {
		log.Fatal(err)
	}

	resp, err := p.Complete(context.Background(), &llm.Request{
		Model:    "gpt-4.1",
		Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("Hello!")}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Provider, resp.Model)
	fmt.Println(resp.Choices[0].Message.Text(), resp.Choices[0].FinishReason)
	fmt.Printf("input %d, output %d tokens\n", resp.Usage.InputTokens, resp.Usage.OutputTokens)
	// Output:
	// openai gpt-4.1-2025-04-14
	// Hello! How can I assist you today? stop
	// input 19, output 10 tokens
}
