package logsink

import (
	"context"
	"log/slog"
)

// NewHandler wraps h, a handler writing to w, so that a record at level
// or above is written to w's output as soon as h has formatted it, not a
// flush delay later: warnings and errors are not lost to a crash that
// follows them, and appear in time next to what an operator is watching.
func NewHandler(h slog.Handler, w *Writer, level slog.Leveler) slog.Handler {
	return &flushingHandler{Handler: h, w: w, level: level}
}

type flushingHandler struct {
	slog.Handler
	w     *Writer
	level slog.Leveler
}

func (h *flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= h.level.Level() {
		h.w.requestFlush()
	}
	return err
}

func (h *flushingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &flushingHandler{Handler: h.Handler.WithAttrs(attrs), w: h.w, level: h.level}
}

func (h *flushingHandler) WithGroup(name string) slog.Handler {
	return &flushingHandler{Handler: h.Handler.WithGroup(name), w: h.w, level: h.level}
}
