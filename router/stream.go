package router

import (
	"context"
	"errors"
	"io"

	"github.com/switchboard-gw/switchboard/llm"
)

// Stream opens a stream on the first deployment of req's model whose stream
// produces a first chunk. Until that chunk is handed to the caller a failure
// moves on to the next deployment; after it, failures reach the caller.
func (r *Router) Stream(ctx context.Context, req *llm.Request) (llm.Stream, error) {
	ds, err := r.Resolve(req.Model)
	if err != nil {
		return nil, err
	}
	var last error
	for _, d := range ds {
		s, err := d.Provider.Stream(ctx, upstreamRequest(req, d))
		if err != nil {
			last = err
			if !shouldTryNext(ctx, err) {
				break
			}
			continue
		}
		first, err := s.Recv()
		if err != nil && !errors.Is(err, io.EOF) {
			s.Close()
			last = err
			if !shouldTryNext(ctx, err) {
				break
			}
			continue
		}
		return &labeledStream{s: s, first: first, firstErr: err, hasFirst: true, provider: d.ProviderName, deployment: d.Name}, nil
	}
	return nil, last
}

// labeledStream replays the prefetched first chunk and stamps every chunk
// with the deployment that serves it.
type labeledStream struct {
	s                    llm.Stream
	first                llm.Chunk
	firstErr             error
	hasFirst             bool
	provider, deployment string
}

func (l *labeledStream) Recv() (llm.Chunk, error) {
	var c llm.Chunk
	var err error
	if l.hasFirst {
		l.hasFirst = false
		c, err = l.first, l.firstErr
		l.first = llm.Chunk{}
	} else {
		c, err = l.s.Recv()
	}
	if err != nil {
		return c, err
	}
	c.Provider, c.Deployment = l.provider, l.deployment
	return c, nil
}

func (l *labeledStream) Close() error { return l.s.Close() }
