package server

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/switchboard-gw/switchboard/llm"
	"github.com/switchboard-gw/switchboard/server/internal/request"
)

// errorLogger is a Connect interceptor that logs the RPCs that failed with
// Internal, with the cause the caller is not shown (llm.Error.Err) and the
// request id. Other failures are the caller's or a provider's and show in
// the request log.
type errorLogger struct{ logger *slog.Logger }

func (l errorLogger) log(ctx context.Context, procedure string, err error) {
	if err == nil || connect.CodeOf(err) != connect.CodeInternal {
		return
	}
	attrs := []any{"procedure", procedure, "err", err}
	var le *llm.Error
	if errors.As(err, &le) && le.Err != nil {
		attrs = append(attrs, "cause", le.Err)
	}
	if info := request.From(ctx); info != nil {
		attrs = append(attrs, "request_id", info.ID)
	}
	l.logger.ErrorContext(ctx, "internal error", attrs...)
}

func (l errorLogger) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(ctx, req)
		l.log(ctx, req.Spec().Procedure, err)
		return resp, err
	}
}

func (l errorLogger) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		l.log(ctx, conn.Spec().Procedure, err)
		return err
	}
}

func (l errorLogger) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}
