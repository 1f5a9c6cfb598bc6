package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
)

var (
	_ llm.Provider    = (*Provider)(nil)
	_ llm.Embedder    = (*Provider)(nil)
	_ llm.ModelLister = (*Provider)(nil)
)

// generateBody converts and marshals a chat request.
func (p *Provider) generateBody(req *llm.Request) ([]byte, error) {
	wr, err := wire.FromCanonicalRequest(req, p.opts)
	if err != nil {
		return nil, p.withProvider(err)
	}
	b, err := wire.Marshal(wr, req.ProviderOptions, p.opts)
	if err != nil {
		var e *llm.Error
		if errors.As(err, &e) {
			return nil, p.withProvider(err)
		}
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded for " + p.cfg.Name, Err: err}
	}
	return b, nil
}

// complete sends a generateContent call.
func (p *Provider) complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	u, err := p.modelURL(req.Model, "generateContent", "")
	if err != nil {
		return nil, err
	}
	body, err := p.generateBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf, err := p.readBody(ctx, resp.Body)
	if err != nil {
		return nil, err
	}
	defer putBuffer(buf)
	return p.decodeAnswer(resp, buf.Bytes())
}

func (p *Provider) decodeAnswer(resp *http.Response, body []byte) (*llm.Response, error) {
	var gr wire.GenerateContentResponse
	if err := json.Unmarshal(body, &gr); err != nil {
		return nil, p.malformed("response", err)
	}
	if len(gr.Error) > 0 && string(gr.Error) != "null" {
		return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, body)
	}
	out, err := wire.ToCanonicalResponse(&gr)
	if err != nil {
		return nil, p.withProvider(err)
	}
	out.Provider = p.cfg.Name
	if out.Created == 0 {
		out.Created = time.Now().Unix() // the Gemini API sends no creation time
	}
	return out, nil
}

// Embed computes embeddings with one batchEmbedContents call.
func (p *Provider) Embed(ctx context.Context, req *llm.EmbedRequest) (*llm.EmbedResponse, error) {
	u, err := p.modelURL(req.Model, "batchEmbedContents", "")
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(wire.FromCanonicalEmbedRequest(req))
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded", Err: err}
	}
	resp, err := p.send(ctx, http.MethodPost, u, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf, err := p.readBody(ctx, resp.Body)
	if err != nil {
		return nil, err
	}
	defer putBuffer(buf)
	var br wire.BatchEmbedContentsResponse
	if err := json.Unmarshal(buf.Bytes(), &br); err != nil {
		return nil, p.malformed("embeddings", err)
	}
	if len(br.Embeddings) != len(req.Inputs) {
		return nil, &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "the provider returned a different number of embeddings than inputs"}
	}
	out := wire.ToCanonicalEmbedResponse(req.Model, &br)
	out.Provider = p.cfg.Name
	return out, nil
}

// maxModelPages bounds the pages ListModels follows: a server that keeps
// returning a next page token must not loop forever.
const maxModelPages = 20

// ListModels lists the models, following pages, with the "models/" prefix
// stripped from their names.
func (p *Provider) ListModels(ctx context.Context) ([]llm.ModelInfo, error) {
	var out []llm.ModelInfo
	token := ""
	for page := 0; page < maxModelPages; page++ {
		q := "pageSize=1000"
		if token != "" {
			q += "&pageToken=" + url.QueryEscape(token)
		}
		resp, err := p.send(ctx, http.MethodGet, p.collectionURL("models", q), nil)
		if err != nil {
			return nil, err
		}
		buf, err := p.readBody(ctx, resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		var ml wire.ListModelsResponse
		err = json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &ml)
		putBuffer(buf)
		if err != nil {
			return nil, p.malformed("model list", err)
		}
		out = wire.ToCanonicalModels(&ml, out)
		if ml.NextPageToken == "" || ml.NextPageToken == token {
			break
		}
		token = ml.NextPageToken
	}
	return out, nil
}
