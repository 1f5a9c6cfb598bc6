// Package bedrock is the provider translator for AWS Bedrock Runtime's
// Converse API: POST /model/{modelId}/converse (unary) and
// /model/{modelId}/converse-stream (an application/vnd.amazon.eventstream
// body of binary frames), for every model Bedrock serves through Converse
// (Claude, Nova, Llama, Mistral, gpt-oss, DeepSeek, ...).
//
// A Provider converts canonical requests to the wire format (package wire,
// which documents every mapping), signs each request with AWS Signature
// Version 4 (the AWS SDK's signer; service "bedrock", the configured
// region, the SHA-256 of the body), and converts answers back: unary, and
// streamed by a pull-based reader of the event-stream frames that checks
// both CRC-32 checksums of every frame. The model id travels in the path,
// percent-encoded as one segment (":" of versioned ids and "/" of ARNs
// included), as the AWS SDKs send it.
//
// Credentials come from a CredentialsFunc called for every request:
// StaticCredentials, DefaultCredentials (the AWS SDK's default chain:
// environment, shared files and profiles, SSO, web identity, container and
// instance roles), or references resolved through the gateway's secrets
// layer (see gateway/build.go).
//
// Every failure is an *llm.Error classified once: HTTP errors and exception
// frames through wire.ClassifyError (ThrottlingException is RateLimited,
// ValidationException InvalidRequest or ContextTooLong, ...), network
// failures, checksum mismatches and broken streams here. A stream that ends
// before messageStop is an Upstream error "stream ended prematurely". No
// error ever holds a credential.
//
// Bedrock names neither the answer nor the model: responses carry the
// x-amzn-RequestId as their id and the requested model id.
package bedrock
