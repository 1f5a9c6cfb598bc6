package gemini

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini/wire"
	"github.com/switchboard-gw/switchboard/providers/internal/upstream"
)

// maxErrorBodyBytes bounds how much of an error body is read to classify it.
const maxErrorBodyBytes = 1 << 20

const userAgent = "switchboard-gateway"

// send makes one call. A non-nil response always has a 2xx status; any
// other status is returned as a classified error with the body closed,
// whatever its Content-Type (Gemini labels the JSON error of an alt=sse
// request text/event-stream).
func (p *Provider) send(ctx context.Context, method, url string, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInternal, Provider: p.cfg.Name, Message: "could not build the upstream request", Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", userAgent)
	for k, v := range p.cfg.Headers {
		req.Header.Set(k, v)
	}
	if err := p.authorize(ctx, req); err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.transportError(ctx, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
		return nil, wire.ClassifyError(p.cfg.Name, resp.StatusCode, resp.Header, b)
	}
	return resp, nil
}

// authorize sets the x-goog-api-key header, or lets Config.Authorize set
// the credentials. The key never goes in the URL: URLs end up in logs and
// in error messages.
func (p *Provider) authorize(ctx context.Context, req *http.Request) error {
	if p.cfg.Authorize != nil {
		err := p.cfg.Authorize(ctx, req)
		var e *llm.Error
		if err == nil || errors.As(err, &e) {
			return err
		}
		return &llm.Error{Kind: llm.KindUnavailable, Provider: p.cfg.Name, Message: "could not obtain the credentials for " + p.cfg.Name, Err: err}
	}
	key := p.cfg.APIKey
	if p.cfg.Credential != nil {
		k, err := p.cfg.Credential(ctx)
		if err != nil || k == "" {
			if err == nil {
				err = errors.New("credential source returned an empty key")
			}
			return &llm.Error{Kind: llm.KindUnavailable, Provider: p.cfg.Name, Message: "could not obtain the credentials for " + p.cfg.Name, Err: err}
		}
		key = k
	}
	req.Header.Set("X-Goog-Api-Key", key)
	return nil
}

// transportError classifies a failure to get a response at all.
func (p *Provider) transportError(ctx context.Context, err error) *llm.Error {
	return upstream.TransportError(ctx, p.cfg.Name, err)
}

// readError classifies a failure while reading a response body.
func (p *Provider) readError(ctx context.Context, err error) *llm.Error {
	return upstream.ReadError(ctx, p.cfg.Name, err)
}

// readBody reads a whole (bounded) response body into a pooled buffer; the
// caller returns it with putBuffer once decoded.
func (p *Provider) readBody(ctx context.Context, body io.Reader) (*bytes.Buffer, error) {
	return upstream.ReadBody(ctx, p.cfg.Name, body)
}

func putBuffer(b *bytes.Buffer) { upstream.PutBuffer(b) }

func (p *Provider) malformed(what string, err error) *llm.Error {
	return &llm.Error{Kind: llm.KindUpstream, Provider: p.cfg.Name, Message: "malformed " + what + " from " + p.cfg.Name, Err: err}
}

// withProvider stamps the provider name on an *llm.Error from the wire
// package.
func (p *Provider) withProvider(err error) error {
	var e *llm.Error
	if errors.As(err, &e) && e.Provider == "" {
		e.Provider = p.cfg.Name
	}
	return err
}

func invalidModel(provider, model string) *llm.Error {
	return &llm.Error{Kind: llm.KindInvalidRequest, Provider: provider, Param: "model", Message: "invalid Gemini model name " + quoteClip(model)}
}

func quoteClip(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return "\"" + s + "\""
}
