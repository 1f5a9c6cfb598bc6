package wire

import (
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
)

// ModelResource returns the resource name of a model: "models/" and the id,
// whether or not the id already has the prefix ("tunedModels/..." is kept).
func ModelResource(model string) string {
	if strings.HasPrefix(model, "models/") || strings.HasPrefix(model, "tunedModels/") {
		return model
	}
	return "models/" + model
}

// FromCanonicalEmbedRequest writes a batchEmbedContents body: one request
// per input, each naming the model, with outputDimensionality from
// Dimensions.
func FromCanonicalEmbedRequest(r *llm.EmbedRequest) *BatchEmbedContentsRequest {
	model := ModelResource(r.Model)
	out := &BatchEmbedContentsRequest{Requests: make([]EmbedContentRequest, len(r.Inputs))}
	for i := range r.Inputs {
		text := r.Inputs[i]
		out.Requests[i] = EmbedContentRequest{
			Model:                model,
			Content:              Content{Parts: []Part{{Text: &text}}},
			OutputDimensionality: r.Dimensions,
		}
	}
	return out
}

// ToCanonicalEmbedRequest reads a batchEmbedContents body for model (the
// path's). Every request must name the same model and hold text only.
func ToCanonicalEmbedRequest(model string, r *BatchEmbedContentsRequest) (*llm.EmbedRequest, error) {
	if len(r.Requests) == 0 {
		return nil, invalid("requests", "* BatchEmbedContentsRequest.requests: requests must not be empty.\n")
	}
	out := &llm.EmbedRequest{Model: strings.TrimPrefix(model, "models/"), Inputs: make([]string, len(r.Requests))}
	want := ModelResource(model)
	for i := range r.Requests {
		q := &r.Requests[i]
		path := indexPath("requests", i)
		if q.Model != "" && ModelResource(q.Model) != want {
			return nil, invalid(joinPath(path, "model"), "* BatchEmbedContentsRequest.%s.model: the model of each request must match the batch's model %s.\n", path, want)
		}
		text, err := embedText(&q.Content, path)
		if err != nil {
			return nil, err
		}
		out.Inputs[i] = text
		if d := q.OutputDimensionality; d != nil {
			if out.Dimensions != nil && *out.Dimensions != *d {
				return nil, invalid(joinPath(path, "output_dimensionality"), "every request of a batch must ask for the same output_dimensionality")
			}
			out.Dimensions = d
		}
	}
	return out, nil
}

// embedText joins the text parts of an embedding's content.
func embedText(c *Content, path string) (string, error) {
	if len(c.Parts) == 0 {
		return "", invalid(joinPath(path, "content.parts"), "* %s.content.parts: contents.parts must not be empty.\n", path)
	}
	var b strings.Builder
	for j := range c.Parts {
		if c.Parts[j].Text == nil {
			return "", invalid(indexPath(joinPath(path, "content.parts"), j), "only text can be embedded")
		}
		b.WriteString(*c.Parts[j].Text)
	}
	return b.String(), nil
}

// ToCanonicalEmbedResponse reads a batch answer.
func ToCanonicalEmbedResponse(model string, r *BatchEmbedContentsResponse) *llm.EmbedResponse {
	out := &llm.EmbedResponse{Model: strings.TrimPrefix(model, "models/"), Embeddings: make([][]float32, len(r.Embeddings))}
	for i := range r.Embeddings {
		out.Embeddings[i] = r.Embeddings[i].Values
	}
	if u := r.UsageMetadata; u != nil {
		out.Usage.InputTokens = u.PromptTokenCount
	}
	return out
}
