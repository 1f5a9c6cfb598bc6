// Package accesslog writes the gateway's access log: one structured slog
// record per request (message "access", level Info), with the request id,
// the caller's key id and team (never a secret: no header, body or key is
// ever logged), what was asked and what answered (operation, model,
// alias, deployment, provider), how it ended (status, RPC code, outcome),
// its latency and time to first token, its tokens, its cost when metering
// knows it, and the trace and span ids that join it to its trace.
//
// Successful requests are sampled by a configurable ratio; failed ones are
// always logged. The format (JSON or text) and the destination are those
// of the slog.Logger it is given.
package accesslog
