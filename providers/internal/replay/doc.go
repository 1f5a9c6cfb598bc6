// Package replay serves a unary answer as an llm.Stream, for the provider
// translators whose upstream may answer a streaming request with a whole
// response (a server that ignored stream: true, or a non-streaming
// endpoint). The chunks it yields add up, per choice, to the answer's
// message, as a real stream's would.
package replay
