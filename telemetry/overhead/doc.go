// Package overhead measures the gateway's own time per request: the time a
// request spends in Switchboard, excluding the time it waits for the
// upstream provider.
//
// For a unary request that is the time from having read the client's
// request to having written the upstream request, plus the time from having
// read the upstream response to having written the answer to the client.
// For a stream it is split in two: the request part (client request read to
// upstream request written, once per stream) and, for every chunk, the time
// from having read the chunk from the upstream to having written it to the
// client. Chunks that arrive together are written to the client in one
// flush: the flush's time is divided among its chunks as their cost
// (StreamChunk), and recorded whole as the wait of its oldest chunk
// (StreamWrite). When a request is retried on another deployment, the time
// between the attempts counts as the gateway's.
//
// A Probe carries the timestamps of one request. The transport starts it
// when the request arrives and puts it in the request's context (With);
// the provider's HTTP call marks when the upstream request was written
// (TraceUpstream, Sent) and when the upstream answer or each chunk was read
// (Received); the transport marks when it has written the answer (UnaryDone)
// or a chunk (ChunkWritten) and flushed chunks (ChunkDone), which records
// the own time into a Recorder.
//
// The cost is a few monotonic clock reads and histogram increments per
// request and per chunk, and a small http client trace per upstream call; a
// nil *Probe (no transport asked for a measurement) makes every method a
// no-op. The Recorder's histograms are lock-free; Snapshot reads them at any
// time without stopping the traffic. The server serves them at
// GET /debug/overhead; the observability release exports them as metrics.
package overhead
