package vertex

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/providers/gemini"
)

// Provider calls Gemini models on Vertex AI. It is safe for concurrent use.
type Provider struct {
	name    string
	gem     *gemini.Provider
	tokens  *TokenSource
	baseURL string
}

var _ llm.Provider = (*Provider)(nil)

// Name returns the instance name.
func (p *Provider) Name() string { return p.name }

// BaseURL returns the root model paths are appended to (see BaseURL).
func (p *Provider) BaseURL() string { return p.baseURL }

// Complete sends a generateContent call.
func (p *Provider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	if err := p.checkModel(req.Model); err != nil {
		return nil, err
	}
	var resp *llm.Response
	err := p.withToken(ctx, func(ctx context.Context) error {
		var err error
		resp, err = p.gem.Complete(ctx, req)
		return err
	})
	return resp, err
}

// Stream sends a streamGenerateContent?alt=sse call. A 401 comes before
// the first chunk, so a stream is retried with a new token like a unary
// call.
func (p *Provider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	if err := p.checkModel(req.Model); err != nil {
		return nil, err
	}
	var s llm.Stream
	err := p.withToken(ctx, func(ctx context.Context) error {
		var err error
		s, err = p.gem.Stream(ctx, req)
		return err
	})
	return s, err
}

// checkModel refuses the Gemini API's tuned-model names, which have no
// publisher-model path on Vertex.
func (p *Provider) checkModel(model string) error {
	if strings.HasPrefix(model, "tunedModels/") {
		return &llm.Error{Kind: llm.KindInvalidRequest, Provider: p.name, Param: "model",
			Message: "tuned Gemini API models are not served by Vertex AI's publisher-model endpoints"}
	}
	return nil
}

// tokenKey carries the access token a call uses from withToken to
// authorize.
type tokenKey struct{}

// withToken runs call with an access token. If the API rejects the token
// (401), the token is dropped from the cache and, if a new one can be
// minted, call runs once more with it: the cached token may have been
// revoked, or the key rotated. A rejected request had no effect, so the
// retry is safe.
func (p *Provider) withToken(ctx context.Context, call func(context.Context) error) error {
	tok, err := p.tokens.Token(ctx)
	if err != nil {
		return p.stamp(err)
	}
	err = call(context.WithValue(ctx, tokenKey{}, tok))
	if !rejectedToken(err) {
		return err
	}
	p.tokens.Invalidate(tok)
	fresh, terr := p.tokens.Token(ctx)
	if terr != nil || fresh == tok {
		return err
	}
	return call(context.WithValue(ctx, tokenKey{}, fresh))
}

// rejectedToken reports whether err is the API refusing the credentials
// (HTTP 401), as opposed to refusing the request.
func rejectedToken(err error) bool {
	var e *llm.Error
	return errors.As(err, &e) && e.Kind == llm.KindUnauthenticated && e.Status == http.StatusUnauthorized
}

// authorize is the Gemini translator's hook: it sends the token withToken
// chose.
func (p *Provider) authorize(ctx context.Context, req *http.Request) error {
	tok, _ := ctx.Value(tokenKey{}).(string)
	if tok == "" {
		var err error
		if tok, err = p.tokens.Token(ctx); err != nil {
			return p.stamp(err)
		}
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

func (p *Provider) stamp(err error) error {
	var e *llm.Error
	if errors.As(err, &e) && e.Provider == "" {
		e.Provider = p.name
	}
	return err
}
