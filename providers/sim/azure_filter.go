package sim

import "github.com/switchboard-gw/switchboard/llm"

// Azure's content-filter annotations. Each category has a verdict:
// {"filtered": bool, "severity": "safe" | "low" | "medium" | "high"} for
// the harm categories, {"filtered": bool, "detected": bool} for the
// detectors (jailbreak on prompts, protected material on completions).

// appendFilterCategories writes the harm categories, plus jailbreak for a
// prompt, with violence flagged when violent.
func appendFilterCategories(b []byte, prompt, violent bool) []byte {
	b = append(b, `{"hate":{"filtered":false,"severity":"safe"},`...)
	if prompt {
		b = append(b, `"jailbreak":{"filtered":false,"detected":false},`...)
	}
	b = append(b, `"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},`...)
	if violent {
		return append(b, `"violence":{"filtered":true,"severity":"medium"}}`...)
	}
	return append(b, `"violence":{"filtered":false,"severity":"safe"}}`...)
}

// appendPromptFilter writes prompt_filter_results for the one prompt.
func appendPromptFilter(b []byte) []byte {
	b = append(b, `[{"prompt_index":0,"content_filter_results":`...)
	b = appendFilterCategories(b, true, false)
	return append(b, "}]"...)
}

// appendCompletionFilter writes a unary choice's content_filter_results:
// the harm categories and the protected-material detectors, violence
// filtered when the filter cut the choice; {} for a choice of tool calls,
// which the filter does not annotate.
func appendCompletionFilter(b []byte, ch *generatedChoice) []byte {
	if len(ch.calls) > 0 {
		return append(b, "{}"...)
	}
	b = appendFilterCategories(b, false, ch.finish == llm.FinishContentFilter)
	b = b[:len(b)-1]
	return append(b, `,"protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false}}`...)
}

// appendChunkFilter writes a stream chunk's content_filter_results: the
// verdict on text fragments, {} on the role chunk and on tool-call
// fragments, and on the finish chunk {} unless the filter cut the choice.
func appendChunkFilter(b []byte, ch *generatedChoice, kind chunkKind) []byte {
	switch {
	case kind == chunkText:
		return appendFilterCategories(b, false, false)
	case kind == chunkFinish && ch.finish == llm.FinishContentFilter:
		return appendFilterCategories(b, false, true)
	}
	return append(b, "{}"...)
}

// appendAzurePreamble writes the first event of an Azure stream: no
// choices, empty id and model, and the prompt's filter results.
func appendAzurePreamble(b []byte) []byte {
	b = append(b, `data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":`...)
	b = appendPromptFilter(b)
	return append(b, "}\n\n"...)
}
