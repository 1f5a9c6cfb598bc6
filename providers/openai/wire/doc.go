// Package wire holds the OpenAI chat-completions, embeddings and models wire
// format: the JSON types exactly as the API reference defines them, and the
// conversions between them and the canonical model (package llm) in both
// directions.
//
// Both directions exist because three parts of Switchboard speak this format:
// the OpenAI provider translator (canonical -> wire request, wire response ->
// canonical), the OpenAI-compatible shim that clients call (wire request ->
// canonical, canonical -> wire response), and the simulator (a server, like
// the shim). They share these types so that the format is written down once.
package wire
