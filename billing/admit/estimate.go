package admit

import (
	"github.com/switchboard-gw/switchboard/billing/pricing"
	"github.com/switchboard-gw/switchboard/llm"
)

// Fixed allowances of InputTokenBound, above what any tokenizer in use
// adds for framing: OpenAI's cookbook counts 3 tokens per message (4 with
// a name) and 3 to prime the reply, 8 per tool; the simulator does the
// same.
const (
	boundPerRequest = 16
	boundPerMessage = 16
	boundPerTool    = 16
)

// DefaultImageTokens bounds the prompt tokens of one image: above
// OpenAI's high-detail maximum (1,445 for gpt-4o; about 2,500 for the
// patch-based gpt-4.1-mini), Anthropic's (about 1,600) and Gemini's per
// image (258 per tile).
const DefaultImageTokens = 3000

// InputTokenBound is an upper bound of the prompt tokens of req, whatever
// the model: the UTF-8 bytes of every text it carries (messages, names,
// tool calls and results, reasoning sent back, tools and schemas) plus
// fixed allowances for framing, and imageTokens per image. It bounds
// byte-pair and SentencePiece tokenizers because each of their tokens
// covers at least one byte of text. Budgets reserve against it, so that
// a request can never cost more input than was reserved.
func InputTokenBound(req *llm.Request, imageTokens int64) int64 {
	n := int64(boundPerRequest)
	for i := range req.Messages {
		m := &req.Messages[i]
		n += boundPerMessage + int64(len(m.Role)+len(m.Name)+len(m.ToolCallID)+len(m.Refusal))
		for j := range m.Parts {
			p := &m.Parts[j]
			if p.Type == llm.PartImage {
				n += imageTokens
				continue
			}
			n += int64(len(p.Text) + len(p.Signature))
		}
		for j := range m.ToolCalls {
			tc := &m.ToolCalls[j]
			n += boundPerMessage + int64(len(tc.ID)+len(tc.Name)+len(tc.Arguments)+len(tc.Signature))
		}
		for j := range m.Reasoning {
			r := &m.Reasoning[j]
			n += int64(len(r.Text) + len(r.Signature) + len(r.Redacted))
		}
	}
	for i := range req.Tools {
		t := &req.Tools[i]
		n += boundPerTool + int64(len(t.Name)+len(t.Description)+len(t.Parameters))
	}
	if rf := req.ResponseFormat; rf != nil {
		n += boundPerTool + int64(len(rf.Name)+len(rf.Description)+len(rf.Schema))
	}
	return n
}

// EmbedTokenBound is InputTokenBound for an embeddings request.
func EmbedTokenBound(req *llm.EmbedRequest) int64 {
	n := int64(boundPerRequest)
	for _, in := range req.Inputs {
		n += boundPerMessage + int64(len(in))
	}
	return n
}

// choices is the number of answers a request asks for.
func choices(req *llm.Request) int64 {
	if req.N > 1 {
		return int64(req.N)
	}
	return 1
}

// tpmEstimate is what a request is charged against tokens-per-minute
// limits when admitted: about four bytes a token of its prompt bound, plus
// the output it may generate when it says (max_tokens for each choice),
// as OpenAI counts. Adjust corrects it to the actual tokens afterwards.
func tpmEstimate(inputBound int64, req *llm.Request) int64 {
	n := (inputBound + 3) / 4
	if req != nil && req.MaxTokens != nil && *req.MaxTokens > 0 {
		n += choices(req) * *req.MaxTokens
	}
	return n
}

// worstCase is the most req could cost on any of prices (the deployments
// its alias may route to): every input token of the bound at the dearest
// input rate, and every output token it may generate at the dearest output
// rate. The output is max_tokens for each choice or, when the request sets
// none, the model's maximum output from the pricing table, or else
// defaultOutput. ok is false when a deployment has no price, or when
// nothing bounds the output.
func worstCase(prices []pricing.Price, inputBound int64, req *llm.Request, defaultOutput int64) (int64, bool) {
	if len(prices) == 0 {
		return 0, false
	}
	var worst int64
	for i := range prices {
		p := &prices[i]
		out := int64(0)
		if req != nil && req.MaxTokens != nil && *req.MaxTokens > 0 {
			out = *req.MaxTokens
		} else if p.MaxOutputTokens > 0 {
			out = p.MaxOutputTokens
		} else {
			out = defaultOutput
		}
		if req != nil && !p.Embedding && out <= 0 {
			return 0, false
		}
		if req != nil {
			out *= choices(req)
		} else {
			out = 0 // embeddings generate no tokens
		}
		if c := pricing.WorstCaseCost(*p, inputBound, max(out, 0)); c > worst {
			worst = c
		}
	}
	return worst, true
}
