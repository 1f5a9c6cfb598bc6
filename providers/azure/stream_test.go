package azure_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/azure"
)

// asyncFilterStream is an answer in the shape Azure sends with the
// asynchronous content filter: the prompt-filter preamble, chunks whose
// choices carry content_filter_results, annotation chunks with
// content_filter_offsets and no delta (one of them after the finish), then
// the usage chunk and [DONE].
const asyncFilterStream = `data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}

data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1736407895,"id":"chatcmpl-Az1","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_5154047bf2"}

data: {"choices":[{"delta":{"content":"Hello"},"finish_reason":null,"index":0,"logprobs":null}],"created":1736407895,"id":"chatcmpl-Az1","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_5154047bf2"}

data: {"choices":[{"content_filter_offsets":{"check_offset":0,"start_offset":0,"end_offset":5},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}

data: {"choices":[{"delta":{"content":" there"},"finish_reason":null,"index":0,"logprobs":null}],"created":1736407895,"id":"chatcmpl-Az1","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_5154047bf2"}

data: {"choices":[{"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1736407895,"id":"chatcmpl-Az1","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_5154047bf2"}

data: {"choices":[{"content_filter_offsets":{"check_offset":5,"start_offset":5,"end_offset":11},"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":null,"index":0}],"created":0,"id":"","model":"","object":""}

data: {"choices":[],"created":1736407895,"id":"chatcmpl-Az1","model":"gpt-4o-2024-08-06","object":"chat.completion.chunk","system_fingerprint":"fp_5154047bf2","usage":{"completion_tokens":2,"prompt_tokens":9,"total_tokens":11}}

data: [DONE]

`

func TestAsyncFilterAnnotationsAreDropped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Write([]byte(asyncFilterStream))
	}))
	defer srv.Close()
	p, err := azure.New(azure.Config{Name: "azure", Endpoint: srv.URL, APIKey: "k", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Stream(context.Background(), userRequest("gpt4o", "hi"))
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := collect(t, s)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, c := range chunks {
		text.WriteString(c.Text)
		if c.ID == "" && c.Usage == nil {
			t.Errorf("a chunk without an id reached the caller: %+v", c)
		}
	}
	if len(chunks) != 5 || text.String() != "Hello there" || chunks[0].Role != llm.RoleAssistant ||
		chunks[3].FinishReason != llm.FinishStop || chunks[4].Usage == nil || chunks[4].Usage.InputTokens != 9 {
		t.Fatalf("chunks %+v", chunks)
	}
}
