package conformance

import (
	"context"
	"errors"
	"io"
	"net/http"

	"connectrpc.com/connect"

	switchboardv1 "github.com/switchboard-gw/switchboard/gen/switchboard/v1"
	"github.com/switchboard-gw/switchboard/gen/switchboard/v1/switchboardv1connect"
	"github.com/switchboard-gw/switchboard/llm"
)

// connectProvider is the proto API's client shape, the generated Connect
// client, seen as an llm.Provider: requests and answers are converted with
// protoconv.go, errors read from their ErrorDetail.
type connectProvider struct {
	client switchboardv1connect.CompletionServiceClient
	key    string
}

func newConnectProvider(hc *http.Client, baseURL, key string) *connectProvider {
	return &connectProvider{client: switchboardv1connect.NewCompletionServiceClient(hc, baseURL), key: key}
}

func withKey[T any](msg *T, key string) *connect.Request[T] {
	req := connect.NewRequest(msg)
	req.Header().Set("Authorization", "Bearer "+key)
	return req
}

func (p *connectProvider) Complete(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	in, err := protoRequest(req)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: err.Error()}
	}
	resp, err := p.client.Complete(ctx, withKey(in, p.key))
	if err != nil {
		return nil, connectErrorToCanonical(err)
	}
	return canonicalResponse(resp.Msg), nil
}

func (p *connectProvider) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	in, err := protoStreamRequest(req)
	if err != nil {
		return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: err.Error()}
	}
	s, err := p.client.StreamComplete(ctx, withKey(in, p.key))
	if err != nil {
		return nil, connectErrorToCanonical(err)
	}
	return &connectStream{s: s}, nil
}

// connectStream adapts a server stream to llm.Stream.
type connectStream struct {
	s *connect.ServerStreamForClient[switchboardv1.StreamCompleteResponse]
}

func (c *connectStream) Recv() (llm.Chunk, error) {
	if c.s.Receive() {
		return canonicalChunk(c.s.Msg()), nil
	}
	if err := c.s.Err(); err != nil {
		return llm.Chunk{}, connectErrorToCanonical(err)
	}
	return llm.Chunk{}, io.EOF
}

func (c *connectStream) Close() error { return c.s.Close() }

// connectErrorToCanonical reads the error class from the ErrorDetail every
// gateway error carries; an error without one is a transport failure.
func connectErrorToCanonical(err error) error {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return &llm.Error{Kind: llm.KindUpstream, Message: err.Error(), Err: err}
	}
	for _, d := range ce.Details() {
		v, derr := d.Value()
		if derr != nil {
			continue
		}
		if ed, ok := v.(*switchboardv1.ErrorDetail); ok {
			e := &llm.Error{Kind: errorKinds[ed.GetReason()], Provider: ed.GetProvider(), Status: int(ed.GetUpstreamStatus()),
				Code: ed.GetCode(), Param: ed.GetParam(), Message: ce.Message(), Err: err}
			if ra := ed.GetRetryAfter(); ra != nil {
				e.RetryAfter = ra.AsDuration()
			}
			return e
		}
	}
	return &llm.Error{Kind: llm.KindInternal, Message: "error without ErrorDetail: " + ce.Error(), Err: err}
}
