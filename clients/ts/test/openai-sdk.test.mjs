// @ts-check
// The official OpenAI Node SDK against the gateway's OpenAI-compatible shim:
// what an existing application sees after changing only its base URL.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { startGateway } from "./harness.mjs";

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

/** @type {OpenAI.Chat.Completions.ChatCompletionFunctionTool} */
const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        unit: { type: "string", enum: ["celsius", "fahrenheit"] },
      },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};

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

describe("OpenAI Node SDK, chat", () => {
  test("a non-streaming completion", async () => {
    const res = await openai().chat.completions.create({
      model: "demo",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: '[[sim reply="Hello from the gateway."]]' },
      ],
    });
    assert.equal(res.object, "chat.completion");
    assert.equal(res.choices.length, 1);
    assert.equal(res.choices[0].message.role, "assistant");
    assert.equal(res.choices[0].message.content, "Hello from the gateway.");
    assert.equal(res.choices[0].finish_reason, "stop");
    assertUsage(res.usage);
  });

  test("a deterministic answer without directives", async () => {
    /** @type {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} */
    const params = { model: "demo", messages: [{ role: "user", content: "Say something." }] };
    const [a, b] = await Promise.all([openai().chat.completions.create(params), openai().chat.completions.create(params)]);
    assert.ok(a.choices[0].message.content, "the simulator answers");
    assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  });

  test("streaming with include_usage: text accumulates, the last chunk has usage", async () => {
    const stream = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: '[[sim reply="One two three four five six seven."]]' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    /** @type {OpenAI.Chat.Completions.ChatCompletionChunk[]} */
    const chunks = [];
    let text = "";
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta?.content ?? "";
    }
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

  test("a forced tool choice yields a call whose arguments parse", async () => {
    const res = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const calls = res.choices[0].message.tool_calls ?? [];
    assert.equal(calls.length, 1);
    const call = calls[0];
    assert.ok(call.id, "the call has an id");
    // Also narrows the SDK's union of function and custom tool calls.
    assert.ok(call.type === "function", `call type ${call.type}`);
    assert.equal(call.function.name, "get_weather");
    const args = JSON.parse(call.function.arguments);
    assert.equal(typeof args.city, "string");
    assert.ok(["celsius", "fahrenheit"].includes(args.unit), `unit ${args.unit} is in the enum`);
  });

  test("a streamed tool call assembles into parseable arguments", async () => {
    const stream = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "What is the weather in Oslo?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
      stream: true,
      stream_options: { include_usage: true },
    });
    let name = "";
    let id = "";
    let args = "";
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta?.tool_calls ?? []) {
        assert.equal(delta.index, 0);
        id ||= delta.id ?? "";
        name ||= delta.function?.name ?? "";
        args += delta.function?.arguments ?? "";
      }
    }
    assert.ok(id, "the call has an id");
    assert.equal(name, "get_weather");
    assert.deepEqual(Object.keys(JSON.parse(args)).sort(), ["city", "unit"]);
  });

  test("a tool result goes back and the conversation continues", async () => {
    const first = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "Weather in Rome?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const assistant = first.choices[0].message;
    const call = (assistant.tool_calls ?? [])[0];
    assert.ok(call);
    const second = await openai().chat.completions.create({
      model: "demo",
      messages: [
        { role: "user", content: "Weather in Rome?" },
        assistant,
        { role: "tool", tool_call_id: call.id, content: JSON.stringify({ temperature: 21 }) },
        { role: "user", content: '[[sim reply="It is 21 degrees in Rome."]]' },
      ],
      tools: [weatherTool],
    });
    assert.equal(second.choices[0].message.content, "It is 21 degrees in Rome.");
  });

  test("response_format json_schema yields JSON with the required keys", async () => {
    const res = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "Invent a person." }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "person",
          strict: true,
          schema: {
            type: "object",
            properties: { name: { type: "string" }, age: { type: "integer" } },
            required: ["name", "age"],
            additionalProperties: false,
          },
        },
      },
    });
    const person = JSON.parse(res.choices[0].message.content ?? "");
    assert.equal(typeof person.name, "string");
    assert.ok(Number.isInteger(person.age), "age is an integer");
  });

  test("response_format json_object yields a JSON object", async () => {
    const res = await openai().chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "Answer in JSON." }],
      response_format: { type: "json_object" },
    });
    const value = JSON.parse(res.choices[0].message.content ?? "");
    assert.equal(typeof value, "object");
    assert.ok(value !== null && !Array.isArray(value));
  });
});

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

  test("the model list contains demo", async () => {
    const ids = [];
    for await (const model of openai().models.list()) {
      ids.push(model.id);
    }
    assert.ok(ids.includes("demo"), `demo among ${ids.join(", ")}`);
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

  test("an upstream 503 is a server error", async () => {
    const err = await errorOf(() =>
      openai().chat.completions.create({ model: "demo", messages: [{ role: "user", content: "[[sim status=503]]" }] }),
    );
    assert.ok(err instanceof OpenAI.InternalServerError, `got ${err}`);
    assert.ok(err.status === 502 || err.status === 503, `status ${err.status}`);
  });

  test("an upstream 429 is RateLimitError with Retry-After", async () => {
    const err = await errorOf(() =>
      openai().chat.completions.create({
        model: "demo",
        messages: [{ role: "user", content: "[[sim status=429 retry_after=2]]" }],
      }),
    );
    assert.ok(err instanceof OpenAI.RateLimitError, `got ${err}`);
    assert.equal(err.headers.get("retry-after"), "2");
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
