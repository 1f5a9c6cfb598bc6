// Package frontdoor holds what the REST front doors share: the
// OpenAI-shaped shim (package server/openai) and the Anthropic-shaped one
// (package server/anthropic). Each front door owns its wire format and its
// error shape; the mechanics underneath are the same and live here once:
//
//   - reading a request body into a pooled buffer under a size limit
//     (ReadBody), and writing a JSON answer (WriteJSON);
//   - verifying a virtual key and recording the principal in the request's
//     request.Info (Authenticate);
//   - naming what served a request in response headers and in the request
//     log (NoteServedBy);
//   - logging the gateway's own failures with their cause (LogInternal);
//   - Retry-After in whole seconds, rounded up (RetryAfterSeconds);
//   - writing server-sent events with coalesced flushes and the overhead
//     probe told about each flush (EventWriter).
//
// Nothing here knows a wire format.
package frontdoor
