// Package meter turns the provider attempts the router reports into money
// and spend records.
//
// The router reports every attempt when it ends (router.Observer), with
// the usage the provider reported or, for an attempt that reported none (a
// stream cut off by the client or the upstream, an attempt abandoned in a
// hedge race), the tokens the gateway counted, flagged estimated. Observe
// takes each attempt that consumed tokens (see Chargeable), prices it with
// the Pricer (integer nano-USD, pricing.Cost; a model without a price is
// recorded with its tokens and flagged unpriced), builds its ledger.Record
// keyed by the request id and the attempt's number, and hands it to the
// record sink (a ledger.Writer, whose Enqueue never waits for the
// database). It then adds the cost to the request's Call and tells the
// cost sinks (telemetry's cost counter, budgets).
//
// A Call is the per-request state metering needs that the attempt does not
// carry: the request id (from the transport, llm.RequestIDFrom), the
// caller's key, team and user, the end user, whether it streams, and the
// running cost. Begin puts it in the request's context with one
// allocation; the router hands that context to the observer.
//
// The request's cost reaches the caller on the answer: the gateway copies
// Call.Cost into llm.Response.Cost after a unary call, and WrapStream puts
// it on a stream's last chunk (llm.Chunk.Cost). The last chunk is only
// known to be last once the stream's end has been read, and the attempt
// is only charged at that end, so the wrapper reads one chunk ahead once
// the answer is finishing (a chunk with a finish reason or usage); a
// stream that fails carries the cost on its error (llm.CostOf).
//
// Nothing here blocks or touches the network: the work per attempt is a
// price lookup, integer arithmetic, and an append to the writer's
// in-memory queue.
package meter
