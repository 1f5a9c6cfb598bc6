// Package histogram is a lock-free, log-linear histogram of durations, cheap
// enough to sit on the request path of every call.
//
// Recording is a few arithmetic instructions and two atomic adds: no lock,
// no allocation, no sorting. Values are kept in buckets whose width is 1/32
// of their power of two (relative error under 1.6% at the bucket's middle),
// from 1 ns to the full int64 range, so the same type serves nanosecond
// overheads and minute-long streams.
//
// A Snapshot is a plain value: it lists the non-empty buckets, answers
// quantiles, subtracts an earlier snapshot (the distribution of a time
// window, without ever resetting the live histogram), and marshals to JSON
// with a stable shape, which is what GET /debug/overhead serves and what a
// Prometheus exporter needs.
package histogram
