// Package llm is Switchboard's canonical model of an LLM call: the request,
// the response, the stream chunk, token usage and the error kinds.
//
// Every transport (the Connect API, the OpenAI shim) converts into these
// types at its edge, and every provider translator converts out of them to its
// wire format. The package is plain Go: it imports nothing of the project, no
// protobuf and no HTTP, so every layer can depend on it.
//
// The model carries what the providers behind the gateway need on the next
// turn, not only what OpenAI has: Anthropic thinking blocks with their
// signatures, Gemini thought signatures, prompt-cache hints, and an opaque
// per-provider option map for parameters that have no canonical field.
package llm
