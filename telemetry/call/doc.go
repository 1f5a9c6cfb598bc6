// Package call holds what telemetry learns about one request to the
// gateway, from its arrival to its end: who called (key, team), what was
// asked (operation, model, parameters), what answered (route, deployment,
// response model, finish reasons, usage, time to first token), how it
// ended, and what it cost. One Record travels in the request's context.
//
// The transport creates the Record when the request arrives (With); the
// core's decorator fills in the request and the response (NoteRequest,
// NoteResponse, WrapStream); the router's attempt hook reads it to label
// attempt spans and metrics and notes each attempt (NoteAttempt); metering
// adds each attempt's cost (AddCost). When the request ends the transport
// turns the Record into a server span, request metrics and an access log
// line (packages tracing, metrics, accesslog).
//
// The Record's request fields are written by the request's own goroutine
// before the core is called and only read afterwards. Attempts may end on
// hedge goroutines, so what they report (NoteAttempt, AddCost) is guarded
// by a mutex. A nil *Record ignores every call, so code below the
// transport need not care whether telemetry is on.
package call
