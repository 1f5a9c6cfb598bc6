package llm_test

import (
	"errors"
	"io"
	"testing"

	"github.com/switchboard-gw/switchboard/llm"
)

type chunkStream struct{ chunks []llm.Chunk }

func (s *chunkStream) Recv() (llm.Chunk, error) {
	if len(s.chunks) == 0 {
		return llm.Chunk{}, io.EOF
	}
	c := s.chunks[0]
	s.chunks = s.chunks[1:]
	return c, nil
}
func (s *chunkStream) Close() error { return nil }

func TestSerialToolCalls(t *testing.T) {
	no, yes := false, true
	if llm.SerialToolCalls(&llm.Request{}) || llm.SerialToolCalls(&llm.Request{ParallelToolCalls: &yes}) || !llm.SerialToolCalls(&llm.Request{ParallelToolCalls: &no}) {
		t.Fatal("SerialToolCalls must be true only for an explicit false")
	}
	resp := &llm.Response{Choices: []llm.Choice{{Message: llm.Message{ToolCalls: []llm.ToolCall{{ID: "a"}, {ID: "b"}}}}}}
	llm.KeepFirstToolCall(resp)
	if got := resp.Choices[0].Message.ToolCalls; len(got) != 1 || got[0].ID != "a" {
		t.Fatalf("KeepFirstToolCall kept %+v", got)
	}
}

func TestFirstToolCallOnlyDropsLaterCalls(t *testing.T) {
	in := &chunkStream{chunks: []llm.Chunk{
		{ToolCalls: []llm.ToolCallDelta{{Index: 0, ID: "a", Name: "f"}, {Index: 1, ID: "b", Name: "g"}}},
		{ToolCalls: []llm.ToolCallDelta{{Index: 0, ArgumentsDelta: "{}"}}},
		{ToolCalls: []llm.ToolCallDelta{{Index: 1, ArgumentsDelta: "{}"}}},
		{ChoiceIndex: 1, ToolCalls: []llm.ToolCallDelta{{Index: 3, ID: "c", Name: "h"}}},
		{FinishReason: llm.FinishToolCalls},
	}}
	s := llm.FirstToolCallOnly(in)
	var ids []string
	var args, chunks int
	for {
		c, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		chunks++
		for _, d := range c.ToolCalls {
			if d.ID != "" {
				ids = append(ids, d.ID)
			}
			if d.ArgumentsDelta != "" {
				args++
			}
		}
	}
	if len(ids) != 2 || ids[0] != "a" || ids[1] != "c" || args != 1 || chunks != 5 {
		t.Fatalf("ids %v, %d argument deltas, %d chunks; want [a c] (first call per choice), 1, 5", ids, args, chunks)
	}
}
