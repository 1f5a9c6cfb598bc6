// Package openai is the provider translator for the OpenAI chat-completions,
// embeddings and models API, and, by configuration, for every vendor that
// speaks it: Groq, DeepSeek, Mistral, Together, OpenRouter, Ollama, vLLM and
// Switchboard's own simulator. Vendors differ in base URL, auth header and a
// few request options (see Preset), never in code.
//
// A Provider converts canonical requests to the wire format (package wire),
// sends them, and converts answers back: unary, streamed (a pull-based SSE
// reader), embeddings and the model list. Every failure it returns is an
// *llm.Error classified once, here: HTTP errors through wire.ClassifyError,
// network failures and broken streams by this package. No error ever holds
// the API key.
package openai
