// Package pricing turns token usage into money.
//
// A Table holds what models cost: an embedded, versioned price list
// (prices.yaml, built into the binary) for the major models of OpenAI,
// Anthropic, Google, Mistral, DeepSeek, Groq and Together, optionally
// merged with a list of the same format the user supplies (Load). Each
// entry names its provider, model, aliases, the date its prices took
// effect and the public page they come from, and gives prices in US
// dollars per million tokens for input, cached input, cache writes, output
// and reasoning, an optional long-context tier, and the model's context
// window and maximum output. A model may have several entries: Lookup at a
// time picks the newest in effect then. Per-deployment prices from the
// configuration are an Override applied over the table's price.
//
// Money is never a float. Prices are parsed from their decimal text into
// a Rate, an integer of micro-USD per million tokens (equally nano-USD per
// thousand tokens). Cost multiplies each class of tokens by its Rate in
// 128-bit integer arithmetic, which gives pico-USD, sums the classes, and
// divides once by 1000, rounding half up, to give the attempt's cost in
// nano-USD (1 USD = 1e9), the unit the rest of Switchboard counts money in.
//
// Cost reads llm.Usage with the meaning the spine gives it: input tokens
// include the cached and cache-write ones, output tokens include the
// reasoning ones. Each class pays its own price: cached input at the cached
// price (Anthropic's cache read at 0.1x input, OpenAI's cached input at
// 0.5x, 0.25x or 0.1x depending on the model, Gemini's context cache,
// DeepSeek's cache hit), cache writes at the cache-write price (Anthropic's
// 1.25x input), reasoning at the reasoning price; a class a model has no
// price for pays the input price (cached input, cache writes) or the output
// price (reasoning). The long-context tier applies to the whole request
// when its input tokens exceed the tier's threshold.
//
// A model the table does not know is not an error: Lookup returns false,
// and the caller serves the request, records its tokens, and flags the
// record unpriced, so that one missing price never blocks other requests.
package pricing
