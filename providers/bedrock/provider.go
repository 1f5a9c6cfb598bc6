package bedrock

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/bedrock/wire"
	"github.com/switchboard-gw/switchboard/telemetry/overhead"
)

var _ llm.Provider = (*Provider)(nil)

// requestBody converts and marshals a request; answerTool is the tool
// carrying a JSON response format, if any.
func (p *Provider) requestBody(req *llm.Request) (body []byte, answerTool string, err error) {
	cr, err := wire.FromCanonicalRequest(req, p.opts)
	if err != nil {
		return nil, "", p.withProvider(err)
	}
	b, err := json.Marshal(cr)
	if err != nil {
		var e *llm.Error
		if errors.As(err, &e) {
			return nil, "", p.withProvider(err)
		}
		return nil, "", &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.cfg.Name, Message: "the request could not be encoded for " + p.cfg.Name, Err: err}
	}
	return b, cr.AnswerTool, nil
}

// complete sends a Converse request.
func (p *Provider) complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	u, err := p.modelURL(req.Model, "converse")
	if err != nil {
		return nil, err
	}
	body, answerTool, err := p.requestBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, u, body, "application/json")
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
	return p.decodeAnswer(resp, buf.Bytes(), req.Model, answerTool)
}

// decodeAnswer decodes a 200 body. Bedrock names neither the answer nor the
// model: the id is the request id AWS gives every call, the model the one
// asked for.
func (p *Provider) decodeAnswer(resp *http.Response, body []byte, model, answerTool string) (*llm.Response, error) {
	var cr wire.ConverseResponse
	if err := json.Unmarshal(body, &cr); err != nil {
		return nil, p.malformed("response", err)
	}
	if cr.Output.Message == nil && cr.StopReason == "" {
		// Not an answer: an error object a proxy sent with 200.
		return nil, wire.ClassifyError(p.cfg.Name, http.StatusBadGateway, resp.Header, body)
	}
	out, err := wire.ToCanonicalResponse(&cr, answerTool)
	if err != nil {
		return nil, p.withProvider(err)
	}
	out.ID = responseID(resp.Header)
	out.Model = model
	out.Provider = p.cfg.Name
	out.Created = time.Now().Unix()
	return out, nil
}

// responseID is the x-amzn-RequestId of the call, or a random id when a
// proxy dropped it.
func responseID(h http.Header) string {
	if id := h.Get("X-Amzn-Requestid"); id != "" {
		return id
	}
	return "bedrock-" + rand.Text()
}
