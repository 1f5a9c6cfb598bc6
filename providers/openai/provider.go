package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/openai/wire"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

var (
	_ llm.Provider    = (*Provider)(nil)
	_ llm.Embedder    = (*Provider)(nil)
	_ llm.ModelLister = (*Provider)(nil)
)

// chatBody converts and marshals a chat request.
func (p *Provider) chatBody(req *llm.Request, stream bool) ([]byte, error) {
	opts := p.reqOptions
	opts.Stream = stream
	cr, err := wire.FromCanonicalRequest(req, opts)
	if err != nil {
		return nil, p.withProvider(err)
	}
	// Not pooled: the HTTP client may still be writing it when the answer
	// arrives.
	b, err := wire.AppendChatRequest(make([]byte, 0, 1024), cr)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded for " + p.cfg.Name, Err: err}
	}
	return b, nil
}

// Complete sends a unary chat completion.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	body, err := p.chatBody(req, false)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, p.chatURL, body, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf, err := p.readBody(ctx, resp.Body)
	if err != nil {
		return nil, err
	}
	overhead.From(ctx).Received()
	defer putBuffer(buf)
	return p.decodeCompletion(resp, buf.Bytes())
}

func (p *Provider) decodeCompletion(resp *http.Response, body []byte) (*llm.Response, error) {
	var cr wire.ChatResponse
	if err := wire.DecodeChatResponse(body, &cr); err != nil {
		return nil, p.malformed("response", err)
	}
	if hasError(cr.Error) {
		return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, body)
	}
	out, err := wire.ToCanonicalResponse(&cr)
	if err != nil {
		return nil, p.withProvider(err)
	}
	out.Provider = p.cfg.Name
	return out, nil
}

func hasError(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

// Embed computes embeddings.
func (p *Provider) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	er, err := wire.FromCanonicalEmbedRequest(req, p.cfg.EmbeddingEncoding)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded", Err: err}
	}
	body, err := json.Marshal(er)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded", Err: err}
	}
	resp, err := p.send(ctx, http.MethodPost, p.embedURL, body, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf, err := p.readBody(ctx, resp.Body)
	if err != nil {
		return nil, err
	}
	defer putBuffer(buf)
	var wr wire.EmbeddingResponse
	if err := json.Unmarshal(buf.Bytes(), &wr); err != nil {
		return nil, p.malformed("embeddings", err)
	}
	if len(wr.Data) != len(req.Inputs) {
		return nil, &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "the provider returned a different number of embeddings than inputs"}
	}
	out, err := wire.ToCanonicalEmbedResponse(&wr)
	if err != nil {
		return nil, p.withProvider(err)
	}
	out.Provider = p.cfg.Name
	return out, nil
}

// ListModels lists the upstream's models.
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	resp, err := p.send(ctx, http.MethodGet, p.modelsURL, nil, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf, err := p.readBody(ctx, resp.Body)
	if err != nil {
		return nil, err
	}
	defer putBuffer(buf)
	var ml wire.ModelList
	if err := json.Unmarshal(buf.Bytes(), &ml); err != nil {
		return nil, p.malformed("model list", err)
	}
	return wire.ToCanonicalModels(&ml), nil
}
