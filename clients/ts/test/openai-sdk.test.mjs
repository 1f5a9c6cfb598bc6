// @ts-check
// The official OpenAI Node SDK against the gateway's OpenAI-compatible shim:
// what an existing application sees after changing only its base URL, on
// each provider's translator (the aliases of providers.mjs). Tool calls are in
// openai-sdk-tools.test.mjs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { startGateway } from "./harness.mjs";
import { aliases, assertValidJSON, conversations, errorClasses, personSchema } from "./providers.mjs";

/** @type {import("./harness.mjs").Gateway} */
let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

/** Retries off: every test sees the gateway's first answer. */
function openai(apiKey = gw.apiKey) {
  return new OpenAI({ apiKey, baseURL: `${gw.baseUrl}/v1`, maxRetries: 0 });
}

/**
 * Runs fn, which must fail, and returns the error.
 * @param {() => Promise<unknown>} fn
 * @returns {Promise<unknown>}
 */
async function errorOf(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  assert.fail("the call succeeded; it should have failed");
}

/** @param {OpenAI.CompletionUsage | null | undefined} usage */
function assertUsage(usage) {
  assert.ok(usage, "usage is present");
  assert.ok(usage.prompt_tokens > 0, "prompt tokens counted");
  assert.ok(usage.completion_tokens > 0, "completion tokens counted");
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

/**
 * What must match across providers for the same request: the answer, why it
 * ended, and every token count.
 * @param {OpenAI.Chat.Completions.ChatCompletion} res
 */
function outcome(res) {
  return {
    content: res.choices[0].message.content,
    finish: res.choices[0].finish_reason,
    prompt: res.usage?.prompt_tokens,
    completion: res.usage?.completion_tokens,
    cached: res.usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

/**
 * Streams params and returns the chunks and the text they carry.
 * @param {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} params
 */
async function streamed(params) {
  const stream = await openai().chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  /** @type {OpenAI.Chat.Completions.ChatCompletionChunk[]} */
  const chunks = [];
  let text = "";
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return { chunks, text };
}

const personFormat = /** @type {const} */ ({
  type: "json_schema",
  json_schema: { name: "person", strict: true, schema: personSchema },
});

for (const model of aliases) {
  describe(`OpenAI Node SDK, chat on ${model}`, () => {
    test("a non-streaming completion", async () => {
      const res = await openai().chat.completions.create({
        model,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: '[[sim reply="Hello from the gateway."]]' },
        ],
      });
      assert.equal(res.object, "chat.completion");
      assert.ok(res.id, "the completion has an id");
      // Anthropic and Gemini answers carry no timestamp: the gateway must supply one.
      assert.ok(res.created > 0, `created ${res.created} is a Unix time`);
      assert.equal(res.choices.length, 1);
      assert.equal(res.choices[0].message.role, "assistant");
      assert.equal(res.choices[0].message.content, "Hello from the gateway.");
      assert.equal(res.choices[0].finish_reason, "stop");
      assertUsage(res.usage);
    });

    for (const [scenario, messages] of Object.entries(conversations)) {
      test(`${scenario}: the same answer and token counts as on demo`, async () => {
        const [res, baseline] = await Promise.all([
          openai().chat.completions.create({ model, messages }),
          openai().chat.completions.create({ model: "demo", messages }),
        ]);
        assert.ok(res.choices[0].message.content, "the simulator answers");
        assert.equal(res.choices[0].finish_reason, "stop");
        assertUsage(res.usage);
        assert.deepEqual(outcome(res), outcome(baseline));
      });
    }

    test("streaming with include_usage: text accumulates, the last chunk has usage", async () => {
      const { chunks, text } = await streamed({
        model,
        messages: [{ role: "user", content: '[[sim reply="One two three four five six seven."]]' }],
      });
      assert.equal(text, "One two three four five six seven.");
      assert.ok(chunks.filter((c) => c.choices[0]?.delta?.content).length > 1, "text arrives in more than one delta");
      assert.ok(
        chunks.some((c) => c.choices[0]?.finish_reason === "stop"),
        "a chunk carries finish_reason stop",
      );
      const last = chunks.at(-1);
      assert.ok(last);
      assert.deepEqual(last.choices, [], "the usage chunk has no choices, as OpenAI sends it");
      assertUsage(last.usage);
      assert.ok(
        chunks.slice(0, -1).every((c) => !c.usage),
        "only the last chunk carries usage",
      );
    });

    test("usage counts cached input, unary and streamed, as on demo", async () => {
      /** @type {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} */
      const params = { model, messages: [{ role: "user", content: "A long prompt [[sim cached=4]]" }] };
      const [res, baseline, stream] = await Promise.all([
        openai().chat.completions.create(params),
        openai().chat.completions.create({ ...params, model: "demo" }),
        streamed(params),
      ]);
      assert.ok(res.usage, "usage is present");
      assert.equal(res.usage.prompt_tokens_details?.cached_tokens, 4);
      assert.ok(res.usage.prompt_tokens >= 4, `cached input is part of the ${res.usage.prompt_tokens} prompt tokens`);
      assert.deepEqual(outcome(res), outcome(baseline));
      assert.deepEqual(stream.chunks.at(-1)?.usage, res.usage, "the streamed usage is the unary one");
    });

    test("the same request gets the same answer every time", async () => {
      /** @type {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} */
      const params = { model, messages: [{ role: "user", content: "Say something." }] };
      const [a, b] = await Promise.all([openai().chat.completions.create(params), openai().chat.completions.create(params)]);
      assert.ok(a.choices[0].message.content, "the simulator answers");
      assert.equal(a.choices[0].message.content, b.choices[0].message.content);
    });

    test("a streamed answer is the unary one", async () => {
      /** @type {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} */
      const params = { model, messages: [{ role: "user", content: "Tell me about streams." }] };
      const [res, stream] = await Promise.all([openai().chat.completions.create(params), streamed(params)]);
      assert.equal(stream.text, res.choices[0].message.content);
    });

    test("response_format json_schema yields JSON valid against the schema", async () => {
      const res = await openai().chat.completions.create({
        model,
        messages: [{ role: "user", content: "Invent a person." }],
        response_format: personFormat,
      });
      assert.equal(res.choices[0].finish_reason, "stop");
      assert.deepEqual(res.choices[0].message.tool_calls ?? [], [], "the answer is text, not a tool call");
      assertValidJSON(res.choices[0].message.content, personSchema);
    });

    test("a streamed json_schema answer is valid JSON too", async () => {
      const { text } = await streamed({
        model,
        messages: [{ role: "user", content: "Invent another person." }],
        response_format: personFormat,
      });
      assertValidJSON(text, personSchema);
    });

    test("response_format json_object yields a JSON object", async () => {
      const res = await openai().chat.completions.create({
        model,
        messages: [{ role: "user", content: "Answer in JSON." }],
        response_format: { type: "json_object" },
      });
      assertValidJSON(res.choices[0].message.content, { type: "object" });
    });

    if (model === "demo-anthropic") {
      test("n=2 is refused: Anthropic returns one choice per request", async () => {
        const err = await errorOf(() =>
          openai().chat.completions.create({ model, n: 2, messages: [{ role: "user", content: "Hi." }] }),
        );
        assert.ok(err instanceof OpenAI.BadRequestError, `got ${err}`);
      });
    } else {
      test("n=2 yields two choices", async () => {
        const res = await openai().chat.completions.create({ model, n: 2, messages: [{ role: "user", content: "Hi." }] });
        assert.deepEqual(
          res.choices.map((c) => c.index),
          [0, 1],
        );
        assert.ok(res.choices.every((c) => c.message.content));
      });
    }
  });
}

describe("OpenAI Node SDK, embeddings and models", () => {
  test("embeddings, in the SDK's default base64 encoding", async () => {
    // The SDK asks for base64 unless told otherwise and decodes it itself.
    const res = await openai().embeddings.create({ model: "demo", input: ["first", "second"] });
    assert.equal(res.data.length, 2);
    assert.deepEqual(
      res.data.map((d) => d.index),
      [0, 1],
    );
    const dims = res.data[0].embedding.length;
    assert.ok(dims > 0);
    assert.equal(res.data[1].embedding.length, dims);
    assert.ok(res.data[0].embedding.every((v) => Number.isFinite(v)));
    assert.ok(res.usage.prompt_tokens > 0);
  });

  test("embeddings as floats match the base64 ones", async () => {
    const floats = await openai().embeddings.create({ model: "demo", input: "same text", encoding_format: "float" });
    const decoded = await openai().embeddings.create({ model: "demo", input: "same text" });
    const a = floats.data[0].embedding;
    const b = decoded.data[0].embedding;
    assert.equal(a.length, b.length);
    // base64 carries float32; JSON floats may print more digits than float32 holds.
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-6));
  });

  test("the model list contains every alias", async () => {
    const ids = [];
    for await (const model of openai().models.list()) {
      ids.push(model.id);
    }
    for (const alias of aliases) {
      assert.ok(ids.includes(alias), `${alias} among ${ids.join(", ")}`);
    }
  });
});

describe("OpenAI Node SDK, errors", () => {
  test("a bad key is AuthenticationError (401)", async () => {
    const err = await errorOf(() =>
      openai("sk-sb-notarealkey").chat.completions.create({ model: "demo", messages: [{ role: "user", content: "hi" }] }),
    );
    assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
    assert.equal(err.status, 401);
    assert.ok(err.message.length > 0);
    assert.ok(!err.message.includes("sk-sb-notarealkey"), "the error does not echo the key");
  });

  test("a bad key on a stream is AuthenticationError too", async () => {
    const err = await errorOf(async () => {
      const stream = await openai("sk-sb-notarealkey").chat.completions.create({
        model: "demo",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
      });
      for await (const _ of stream) {
        // Not reached.
      }
    });
    assert.ok(err instanceof OpenAI.AuthenticationError, `got ${err}`);
  });

  test("an unknown model is NotFoundError (404)", async () => {
    const err = await errorOf(() =>
      openai().chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }),
    );
    assert.ok(err instanceof OpenAI.NotFoundError, `got ${err}`);
    assert.equal(err.status, 404);
  });

  test("a stream cut upstream surfaces as an error, and the gateway keeps serving", async () => {
    let text = "";
    const err = await errorOf(async () => {
      const stream = await openai().chat.completions.create({
        model: "demo",
        messages: [{ role: "user", content: "Tell me a long story. [[sim disconnect_after=2]]" }],
        stream: true,
      });
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? "";
      }
    });
    assert.ok(err instanceof Error, `got ${err}`);
    assert.ok(text.length > 0, "the chunks before the cut arrived");
    const res = await openai().chat.completions.create({ model: "demo", messages: [{ role: "user", content: "still there?" }] });
    assert.ok(res.choices[0].message.content);
  });
});

/**
 * The SDK's class for each status: what applications catch.
 * @type {Record<number, Function>}
 */
const errorClassByStatus = {
  400: OpenAI.BadRequestError,
  429: OpenAI.RateLimitError,
  503: OpenAI.InternalServerError,
};

for (const model of aliases) {
  describe(`OpenAI Node SDK, upstream errors on ${model}`, () => {
    for (const { directive, status, type, code, retryAfterSeconds } of errorClasses) {
      for (const stream of [false, true]) {
        test(`${directive}${stream ? ", streaming" : ""} is ${status}${code ? ` ${code}` : ""}`, async () => {
          const err = await errorOf(async () => {
            const res = await openai().chat.completions.create({
              model,
              messages: [{ role: "user", content: `hi ${directive}` }],
              stream,
            });
            if (stream) {
              for await (const _ of /** @type {AsyncIterable<unknown>} */ (res)) {
                // The error comes before the first chunk.
              }
            }
          });
          assert.ok(err instanceof OpenAI.APIError, `got ${err}`);
          assert.ok(err instanceof errorClassByStatus[status], `got ${err.constructor.name}`);
          assert.equal(err.status, status);
          assert.equal(err.type, type);
          if (code) {
            assert.equal(err.code, code);
          }
          if (retryAfterSeconds) {
            assert.equal(err.headers?.get("retry-after"), String(retryAfterSeconds));
          }
          assert.ok(!err.message.includes("sim-no-key-needed"), "the message does not leak the provider key");
        });
      }
    }
  });
}
