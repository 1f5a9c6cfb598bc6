package bedrock_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock"
	"github.com/switchboard-gw/switchboard/providers/sim"
)

// Example calls the simulator's Bedrock dialect (in memory), which verifies
// the request's SigV4 signature, with a canonical request that forces a tool
// call, and reads the canonical answer.
func Example() {
	key := bedrock.Credentials{AccessKeyID: "AKIAEXAMPLE000000000", SecretAccessKey: "example-secret"}
	simulator := sim.New(sim.Options{AWS: &sim.AWSCredentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}})
	p, err := bedrock.New(bedrock.Config{
		Region:      "us-east-1",
		Credentials: bedrock.StaticCredentials(key),
		HTTPClient:  &http.Client{Transport: simulator.Transport()}, // the endpoint then does not matter
	})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := p.Complete(context.Background(), &llm.Request{
		Model:      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
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
	// bedrock us.anthropic.claude-sonnet-4-5-20250929-v1:0
	// get_time {}
	// tool_calls tool_use
}
