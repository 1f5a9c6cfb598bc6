// Package tokens counts tokens locally, for the attempts whose provider
// reported no usage: a stream cut off by the client or the upstream, a
// stream that carried no usage, an attempt abandoned in a hedge race.
//
// For OpenAI's models the count is exact: the text is encoded with the
// model's byte-pair encoding (o200k_base for gpt-4o, gpt-4.1, gpt-4.5,
// gpt-5, gpt-oss and the o-series; cl100k_base for gpt-4, gpt-3.5 and the
// text-embedding models), from vocabularies compiled into the binary
// (github.com/tiktoken-go/tokenizer): nothing is read from disk or the
// network. Each encoder is built once, on first use.
//
// For other models the count is an estimate, reported as such (exact is
// false): their tokenizers are not public or not embedded. It counts
// characters, not bytes, so that non-Latin scripts are not undercounted:
// each ASCII character is a fraction of a token by the vendor's ratio
// (Gemini: 4 characters a token, as Google documents; Claude: 3.5;
// DeepSeek: 0.3 tokens a character, as DeepSeek documents; others: 4),
// and each other character one token, rounding up. A vendor whose tokenizer
// the caller has (the simulator's) can be given one with WithTokenizer.
//
// CountRequest counts a chat prompt as OpenAI's cookbook does: every
// message costs 3 tokens of framing plus its role and content, a name 1
// more plus its own tokens, the reply is primed with 3, and tools count
// their name, description and JSON schema plus 8 tokens each.
package tokens
