package anthropic

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/anthropic/wire"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

var (
	_ llm.Provider    = (*Provider)(nil)
	_ llm.ModelLister = (*Provider)(nil)
)

// requestBody converts and marshals a request; answerTool is the tool
// carrying a JSON response format, if any.
func (p *Provider) requestBody(req *llm.Request, stream bool) (body []byte, answerTool string, err error) {
	opts := p.reqOptions
	opts.Stream = stream
	mr, err := wire.FromCanonicalRequest(req, opts)
	if err != nil {
		return nil, "", p.withProvider(err)
	}
	b, err := json.Marshal(mr)
	if err != nil {
		return nil, "", &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded for " + p.cfg.Name, Err: err}
	}
	return b, mr.AnswerTool, nil
}

// Complete sends a unary Messages request.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	body, answerTool, err := p.requestBody(req, false)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, p.messagesURL, body, "application/json")
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
	return p.decodeMessage(resp, buf.Bytes(), answerTool)
}

// decodeMessage decodes a 200 body: a message, or an error object.
func (p *Provider) decodeMessage(resp *http.Response, body []byte, answerTool string) (*llm.Response, error) {
	var mr wire.MessagesResponse
	if err := json.Unmarshal(body, &mr); err != nil {
		return nil, &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "malformed response from " + p.cfg.Name, Err: err}
	}
	if mr.Type == wire.EventError {
		return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, body)
	}
	out, err := wire.ToCanonicalResponse(&mr, answerTool)
	if err != nil {
		return nil, p.withProvider(err)
	}
	out.Provider = p.cfg.Name
	if out.Created == 0 {
		out.Created = time.Now().Unix() // Anthropic sends no creation time
	}
	return out, nil
}

// ListModels lists the upstream's models (the first page, up to 1000).
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
		return nil, &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "malformed model list from " + p.cfg.Name, Err: err}
	}
	return wire.ToCanonicalModels(&ml), nil
}
