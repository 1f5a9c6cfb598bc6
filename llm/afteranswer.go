package llm

import "context"

// AfterAnswer runs fn once the transport that received the request in ctx
// has delivered its answer to the client (written and flushed), or at once
// when the transport does not defer work (no such transport in ctx, or the
// answer is already out).
//
// It is for bookkeeping that must happen but that the client should not
// wait for: settling a budget reservation in Redis is a network round trip
// that would otherwise sit between the model's last byte and the client's.
// The transport runs fn once the client has the whole answer (before the
// connection's next request when the answer's length was known, on a
// goroutine of its own otherwise) and waits for it when shutting down; fn
// must not block for long.
func AfterAnswer(ctx context.Context, fn func()) {
	if d, ok := RequestIdentityFrom(ctx).(answerDeferrer); ok && d.DeferAfterAnswer(fn) {
		return
	}
	fn()
}

// answerDeferrer is implemented by the per-request value of a transport
// that runs work after the answer (server/internal/request.Info).
type answerDeferrer interface {
	// DeferAfterAnswer queues fn and reports true, or reports false when
	// the answer has been delivered already (the caller runs fn itself).
	DeferAfterAnswer(fn func()) bool
}
