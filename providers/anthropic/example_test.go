package anthropic_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// Example calls the simulator's Anthropic dialect (in memory) with a
// canonical request that forces a tool call, and reads the canonical answer.
func Example() {
	simulator := sim.New(sim.Options{})
	p, err := anthropic.New(anthropic.Config{
		APIKey:     "sk-ant-example",
		HTTPClient: &http.Client{Transport: simulator.Transport()}, // the base URL then does not matter
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := p.Complete(context.Background(), &llm.Request{
		Model:      "claude-sonnet-4-5",
		Messages:   []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.TextPart("What time is it?")}}},
		Tools:      []llm.Tool{{Name: "get_time", Description: "The current time"}},
		ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceRequired},
	})
	if err != nil {
		log.Fatal(err)
	}
	ch := resp.Choices[0]
	fmt.Println(resp.Provider, resp.Model)
	fmt.Println(ch.Message.ToolCalls[0].Name, ch.Message.ToolCalls[0].Arguments)
	fmt.Println(ch.FinishReason, ch.RawFinishReason)
	// Output:
	// anthropic claude-sonnet-4-5
	// get_time {}
	// tool_calls tool_use
}
