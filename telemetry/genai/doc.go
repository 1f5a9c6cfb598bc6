// Package genai names what Switchboard's spans and metrics carry: the
// OpenTelemetry GenAI semantic-convention attributes, taken from
// go.opentelemetry.io/otel/semconv/v1.41.0 (the last Go semconv package
// that still ships the GenAI namespace; the names are those of the GenAI
// conventions as of semantic conventions 1.41, with gen_ai.provider.name
// replacing the older gen_ai.system), the HTTP and RPC attributes of the
// server span, and Switchboard's own switchboard.* attributes.
//
// It also maps a provider's configuration (kind and vendor) to its
// well-known gen_ai.provider.name value ("openai", "anthropic",
// "gcp.gemini", "aws.bedrock", ...), and bounds the model and alias names
// that may become metric labels (Label, PassthroughLabel).
package genai
