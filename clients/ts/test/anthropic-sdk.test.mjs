// @ts-check
// The official Anthropic TypeScript SDK against the gateway's Anthropic-shaped
// front door (POST /v1/messages, /v1/messages/count_tokens), unchanged but for
// its base URL and a virtual key: plain and streamed messages, tool use
// assembled by the SDK from input_json deltas and answered with tool_result
// blocks, token counting, and the SDK's typed errors. The aliases reach the
// simulator through each provider's translator, so an Anthropic client talks
// to OpenAI- and Gemini-shaped upstreams here too.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { startGateway } from "./harness.mjs";
import { aliases, assertValid, parallelPrompt, timeSchema, weatherSchema } from "./providers.mjs";

/** @type {import("./harness.mjs").Gateway} */
let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

/**
 * The SDK pointed at the gateway. Retries off: every test sees the gateway's
 * first answer.
 * @param {string} [apiKey]
 */
function anthropic(apiKey = gw.apiKey) {
  return new Anthropic({ apiKey, baseURL: gw.baseUrl, maxRetries: 0 });
}

/** @type {Anthropic.Messages.Tool} */
const weatherTool = {
  name: "get_weather",
  description: "Current weather in a city",
  input_schema: { ...weatherSchema, type: "object" },
};

/** @type {Anthropic.Messages.Tool} */
const timeTool = { name: "get_time", description: "The time now", input_schema: { ...timeSchema, type: "object" } };

/**
 * The text of a message's text blocks.
 * @param {Anthropic.Messages.Message} message
 */
function textOf(message) {
  return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
}

/**
 * The tool_use blocks of a message.
 * @param {Anthropic.Messages.Message} message
 * @returns {Anthropic.Messages.ToolUseBlock[]}
 */
function toolUses(message) {
  /** @type {Anthropic.Messages.ToolUseBlock[]} */
  const out = [];
  for (const block of message.content) {
    if (block.type === "tool_use") {
      out.push(block);
    }
  }
  return out;
}

/** @type {Anthropic.Messages.MessageCreateParamsNonStreaming} */
const hello = {
  model: "demo",
  max_tokens: 256,
  system: "You are terse.",
  messages: [{ role: "user", content: "Say hello." }],
};

describe("Anthropic SDK: messages", () => {
  /** @type {Anthropic.Messages.Message} */
  let unary;

  test("non-streaming", async () => {
    const { data, request_id, response } = await anthropic().messages.create(hello).withResponse();
    unary = data;
    assert.equal(unary.type, "message");
    assert.equal(unary.role, "assistant");
    assert.match(unary.id, /^msg_/);
    assert.ok(textOf(unary).length > 0, JSON.stringify(unary));
    assert.equal(unary.stop_reason, "end_turn");
    assert.ok(unary.usage.input_tokens > 0 && unary.usage.output_tokens > 0, JSON.stringify(unary.usage));
    assert.match(request_id ?? "", /^req_/);
    assert.equal(request_id, response.headers.get("x-request-id"));
  });

  test("streaming with messages.stream and finalMessage", async () => {
    const stream = anthropic().messages.stream(hello);
    let streamedText = "";
    stream.on("text", (delta) => {
      streamedText += delta;
    });
    /** @type {string[]} */
    const events = [];
    stream.on("streamEvent", (event) => {
      events.push(event.type);
    });
    const final = await stream.finalMessage();
    assert.equal(events[0], "message_start");
    assert.equal(events.at(-1), "message_stop");
    assert.ok(events.includes("content_block_delta"), events.join(","));
    assert.equal(textOf(final), streamedText);
    assert.equal(textOf(final), textOf(unary), "the stream and the unary answer differ");
    assert.equal(final.stop_reason, "end_turn");
    assert.equal(final.usage.output_tokens, unary.usage.output_tokens);
    assert.ok(final.usage.input_tokens > 0);
  });

  test("stop sequences and max_tokens", async () => {
    const capped = await anthropic().messages.create({ ...hello, max_tokens: 3, messages: [{ role: "user", content: "Tell me a long story." }] });
    assert.equal(capped.stop_reason, "max_tokens");
    assert.ok(capped.usage.output_tokens <= 3, JSON.stringify(capped.usage));
  });

  test("count_tokens", async () => {
    const counted = await anthropic().messages.countTokens({
      model: "demo-gemini",
      system: "You are terse.",
      messages: [{ role: "user", content: "How many tokens is this?" }],
      tools: [weatherTool],
    });
    assert.ok(counted.input_tokens > 0, JSON.stringify(counted));
  });
});

describe("Anthropic SDK: tool use", () => {
  for (const model of aliases) {
    test(`forced tool use, streamed and sent back (${model})`, async () => {
      const client = anthropic();
      /** @type {Anthropic.Messages.MessageParam[]} */
      const messages = [{ role: "user", content: "What is the weather in Lyon?" }];
      /** @type {Anthropic.Messages.MessageCreateParamsNonStreaming} */
      const params = { model, max_tokens: 256, messages, tools: [weatherTool], tool_choice: { type: "tool", name: "get_weather" } };

      // The SDK assembles the input from input_json_delta fragments.
      const stream = client.messages.stream(params);
      let partialJSON = "";
      stream.on("inputJson", (delta) => {
        partialJSON += delta;
      });
      const streamed = await stream.finalMessage();
      const [call, ...more] = toolUses(streamed);
      assert.ok(call && more.length === 0, JSON.stringify(streamed.content));
      assert.equal(streamed.stop_reason, "tool_use");
      assert.equal(call.name, "get_weather");
      assert.match(call.id, /^toolu_[A-Za-z0-9_-]+$/);
      assertValid(call.input, weatherSchema);
      assert.deepEqual(JSON.parse(partialJSON), call.input);

      // The unary answer is the same call.
      const unary = await client.messages.create(params);
      const [unaryCall] = toolUses(unary);
      assert.equal(unaryCall.id, call.id);
      assert.deepEqual(unaryCall.input, call.input);

      // The result goes back in a tool_result block naming the call.
      const answer = await client.messages.create({
        model,
        max_tokens: 256,
        tools: [weatherTool],
        messages: [
          ...messages,
          { role: "assistant", content: streamed.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: '{"temperature": 18}' }] },
        ],
      });
      assert.equal(answer.stop_reason, "end_turn", JSON.stringify(answer));
      assert.ok(textOf(answer).length > 0);
      assert.equal(toolUses(answer).length, 0);
    });
  }

  test("parallel tool calls, one without parameters, on the Gemini translator", async () => {
    const client = anthropic();
    /** @type {Anthropic.Messages.MessageParam[]} */
    const messages = [{ role: "user", content: parallelPrompt }];
    const stream = client.messages.stream({ model: "demo-gemini", max_tokens: 256, messages, tools: [weatherTool, timeTool] });
    const message = await stream.finalMessage();
    const calls = toolUses(message);
    assert.deepEqual(
      calls.map((c) => c.name),
      ["get_weather", "get_time"],
    );
    assert.notEqual(calls[0].id, calls[1].id);
    assertValid(calls[0].input, weatherSchema);
    assert.deepEqual(calls[1].input, {});

    const answer = await client.messages.create({
      model: "demo-gemini",
      max_tokens: 256,
      tools: [weatherTool, timeTool],
      messages: [
        ...messages,
        { role: "assistant", content: message.content },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: calls[0].id, content: '{"temperature": 18}' },
            { type: "tool_result", tool_use_id: calls[1].id, content: [{ type: "text", text: "noon" }] },
          ],
        },
      ],
    });
    assert.equal(answer.stop_reason, "end_turn", JSON.stringify(answer));
    assert.ok(textOf(answer).length > 0);
  });
});

describe("Anthropic SDK: typed errors", () => {
  test("a wrong key is an AuthenticationError", async () => {
    await assert.rejects(anthropic("sk-sb-not-a-real-key").messages.create(hello), (err) => {
      assert.ok(err instanceof Anthropic.AuthenticationError, String(err));
      assert.equal(err.status, 401);
      assert.equal(err.type, "authentication_error");
      assert.match(err.requestID ?? "", /^req_/);
      return true;
    });
  });

  test("an unknown model is a NotFoundError", async () => {
    await assert.rejects(anthropic().messages.create({ ...hello, model: "no-such-alias" }), (err) => {
      assert.ok(err instanceof Anthropic.NotFoundError, String(err));
      assert.equal(err.type, "not_found_error");
      return true;
    });
  });

  test("a request without max_tokens is a BadRequestError", async () => {
    /** @type {any} */
    const params = { model: "demo", messages: hello.messages };
    await assert.rejects(anthropic().messages.create(params), (err) => {
      assert.ok(err instanceof Anthropic.BadRequestError, String(err));
      assert.equal(err.type, "invalid_request_error");
      assert.match(err.message, /max_tokens/);
      return true;
    });
  });

  for (const model of aliases) {
    test(`a provider's 429 is a RateLimitError with retry-after (${model})`, async () => {
      const params = { ...hello, model, messages: [{ role: /** @type {const} */ ("user"), content: "Hi [[sim status=429 retry_after=2]]" }] };
      await assert.rejects(anthropic().messages.create(params), (err) => {
        assert.ok(err instanceof Anthropic.RateLimitError, String(err));
        assert.equal(err.type, "rate_limit_error");
        assert.equal(err.headers?.get("retry-after"), "2");
        return true;
      });
    });
  }

  test("an overloaded provider is an OverloadedError (529), also before a stream starts", async () => {
    const params = { ...hello, model: "demo-anthropic", messages: [{ role: /** @type {const} */ ("user"), content: "Hi [[sim status=529]]" }] };
    await assert.rejects(anthropic().messages.stream(params).finalMessage(), (err) => {
      assert.ok(err instanceof Anthropic.OverloadedError, String(err));
      assert.equal(err.status, 529);
      assert.equal(err.type, "overloaded_error");
      return true;
    });
  });

  test("a stream cut by the provider ends in an error event the SDK raises", async () => {
    const params = { ...hello, messages: [{ role: /** @type {const} */ ("user"), content: "Tell me a story. [[sim disconnect_after=3]]" }] };
    const stream = anthropic().messages.stream(params);
    let received = "";
    stream.on("text", (delta) => {
      received += delta;
    });
    await assert.rejects(stream.finalMessage(), (err) => {
      // An error event inside a 200 stream: no status, the error's type.
      assert.ok(err instanceof Anthropic.APIError, String(err));
      assert.equal(err.status, undefined);
      assert.equal(err.type, "api_error");
      return true;
    });
    assert.ok(received.length > 0, "the stream failed before it started");
  });
});
