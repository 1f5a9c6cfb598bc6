// @ts-check
// Tool calls through the official OpenAI Node SDK on the shim, on each
// provider's translator: forced and parallel calls, the same call assembled
// from a stream, and results sent back. Tool calls broken in translation are
// the regression these guard against; only the ids and the fragmenting of
// streamed arguments may differ between providers (docs/providers.md).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { startGateway } from "./harness.mjs";
import {
  aliases,
  assertValidJSON,
  parallelPrompt,
  streamsToolArgumentsWhole,
  timeSchema,
  toolCallIdPrefix,
  weatherSchema,
} from "./providers.mjs";

/** @type {import("./harness.mjs").Gateway} */
let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

/** Retries off: every test sees the gateway's first answer. */
function openai() {
  return new OpenAI({ apiKey: gw.apiKey, baseURL: `${gw.baseUrl}/v1`, maxRetries: 0 });
}

/** @typedef {OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming} Params */
/** @typedef {OpenAI.Chat.Completions.ChatCompletionMessageParam} MessageParam */

/** @type {OpenAI.Chat.Completions.ChatCompletionFunctionTool} */
const weatherTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather in a city", parameters: weatherSchema },
};

/** @type {OpenAI.Chat.Completions.ChatCompletionFunctionTool} */
const timeTool = { type: "function", function: { name: "get_time", description: "The time now", parameters: timeSchema } };

/** @type {OpenAI.Chat.Completions.ChatCompletionToolChoiceOption} */
const forceWeather = { type: "function", function: { name: "get_weather" } };

/**
 * @typedef {object} Call
 * @property {string} id
 * @property {string} name
 * @property {string} arguments
 */

/**
 * The function calls of a unary answer, checked to be function calls.
 * @param {OpenAI.Chat.Completions.ChatCompletion} res
 * @returns {Call[]}
 */
function callsOf(res) {
  return (res.choices[0].message.tool_calls ?? []).map((call) => {
    assert.ok(call.type === "function", `call type ${call.type}`);
    return { id: call.id, name: call.function.name, arguments: call.function.arguments };
  });
}

/**
 * Sends params as a stream and assembles the tool calls from their deltas the
 * way the SDK's users do: by index, the first delta naming the call, every
 * delta appending arguments.
 * @param {Params} params
 */
async function streamedCalls(params) {
  const stream = await openai().chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
  /** @type {Map<number, Call>} */
  const calls = new Map();
  /** @type {Map<number, number>} argument deltas per call, empty ones not counted */
  const argumentDeltas = new Map();
  let finish = "";
  /** @type {OpenAI.CompletionUsage | null | undefined} */
  let usage;
  for await (const chunk of stream) {
    usage ??= chunk.usage;
    const choice = chunk.choices[0];
    finish ||= choice?.finish_reason ?? "";
    for (const delta of choice?.delta?.tool_calls ?? []) {
      let call = calls.get(delta.index);
      if (!call) {
        assert.ok(delta.id && delta.function?.name, `the first delta of call ${delta.index} names it`);
        call = { id: delta.id, name: delta.function.name, arguments: "" };
        calls.set(delta.index, call);
      }
      const fragment = delta.function?.arguments ?? "";
      call.arguments += fragment;
      if (fragment !== "") {
        argumentDeltas.set(delta.index, (argumentDeltas.get(delta.index) ?? 0) + 1);
      }
    }
  }
  const indexes = [...calls.keys()].sort((a, b) => a - b);
  return {
    calls: indexes.map((i) => /** @type {Call} */ (calls.get(i))),
    argumentDeltas: indexes.map((i) => argumentDeltas.get(i) ?? 0),
    finish,
    usage,
  };
}

/** @param {OpenAI.CompletionUsage | null | undefined} usage */
function assertUsage(usage) {
  assert.ok(usage, "usage is present");
  assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0, "tokens counted");
  assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
}

/**
 * The answer after tool results must be text that quotes each result under
 * its function's name: the simulator quotes what it received, so this shows
 * every result reached the provider attached to the right call.
 * @param {OpenAI.Chat.Completions.ChatCompletion} res
 * @param {string[]} quoted
 */
function assertTextAnswerQuoting(res, quoted) {
  const choice = res.choices[0];
  assert.equal(choice.finish_reason, "stop");
  assert.deepEqual(choice.message.tool_calls ?? [], [], "no further tool call");
  const text = choice.message.content ?? "";
  for (const q of quoted) {
    assert.ok(text.includes(q), `the answer ${JSON.stringify(text)} quotes ${JSON.stringify(q)}`);
  }
}

for (const model of aliases) {
  describe(`OpenAI Node SDK, tools on ${model}`, () => {
    /** @returns {Params} */
    const forced = (content = "What is the weather in Paris?") => ({
      model,
      messages: [{ role: "user", content }],
      tools: [weatherTool],
      tool_choice: forceWeather,
    });
    /** @returns {Params} */
    const parallel = () => ({
      model,
      messages: [{ role: "user", content: parallelPrompt }],
      tools: [weatherTool, timeTool],
      tool_choice: "auto",
    });

    test("a forced tool choice yields one call with schema-valid arguments, the same as on demo", async () => {
      const [res, baseline] = await Promise.all([
        openai().chat.completions.create(forced()),
        openai().chat.completions.create({ ...forced(), model: "demo" }),
      ]);
      assert.equal(res.choices[0].finish_reason, "tool_calls");
      const calls = callsOf(res);
      assert.equal(calls.length, 1);
      assert.ok(calls[0].id.startsWith(toolCallIdPrefix[model]), `id ${calls[0].id} starts with ${toolCallIdPrefix[model]}`);
      assert.equal(calls[0].name, "get_weather");
      assertValidJSON(calls[0].arguments, weatherSchema);
      const [demoCall] = callsOf(baseline);
      assert.deepEqual({ ...calls[0], id: "" }, { ...demoCall, id: "" }, "name and arguments as on demo");
      assertUsage(res.usage);
    });

    test("a streamed forced call assembles into the unary call: same id, name and arguments", async () => {
      const [unary, streamed] = await Promise.all([openai().chat.completions.create(forced()), streamedCalls(forced())]);
      assert.deepEqual(streamed.calls, callsOf(unary));
      assert.equal(streamed.finish, "tool_calls");
      if (streamsToolArgumentsWhole(model)) {
        assert.deepEqual(streamed.argumentDeltas, [1], "Gemini sends the call whole");
      } else {
        assert.ok(streamed.argumentDeltas[0] > 1, `arguments stream in fragments (${streamed.argumentDeltas[0]})`);
      }
      assert.deepEqual(streamed.usage, unary.usage, "usage is the same streamed");
    });

    test("parallel tool calls, one without parameters", async () => {
      const res = await openai().chat.completions.create(parallel());
      assert.equal(res.choices[0].finish_reason, "tool_calls");
      const calls = callsOf(res);
      assert.deepEqual(
        calls.map((c) => c.name),
        ["get_weather", "get_time"],
      );
      assert.notEqual(calls[0].id, calls[1].id, "each call has its own id");
      for (const call of calls) {
        assert.ok(call.id.startsWith(toolCallIdPrefix[model]), `id ${call.id} starts with ${toolCallIdPrefix[model]}`);
      }
      assertValidJSON(calls[0].arguments, weatherSchema);
      assert.equal(calls[1].arguments, "{}", "a call without parameters has the empty object as arguments");
    });

    test("streamed parallel calls assemble into the unary ones, the parameterless call included", async () => {
      const [unary, streamed] = await Promise.all([openai().chat.completions.create(parallel()), streamedCalls(parallel())]);
      assert.deepEqual(streamed.calls, callsOf(unary));
      assert.equal(streamed.finish, "tool_calls");
      if (streamsToolArgumentsWhole(model)) {
        assert.deepEqual(streamed.argumentDeltas, [1, 1], "Gemini sends each call whole");
      }
    });

    test("a forced call's result goes back and the answer is text quoting it", async () => {
      const first = await openai().chat.completions.create(forced("Weather in Rome?"));
      const assistant = first.choices[0].message;
      const [call] = callsOf(first);
      const second = await openai().chat.completions.create({
        model,
        messages: [
          { role: "user", content: "Weather in Rome?" },
          assistant,
          { role: "tool", tool_call_id: call.id, content: JSON.stringify({ temperature: 21 }) },
        ],
        tools: [weatherTool],
      });
      assertTextAnswerQuoting(second, ["get_weather returned", "21"]);
    });

    test("both parallel results go back in one turn and the answer is text quoting each", async () => {
      const first = await openai().chat.completions.create(parallel());
      const [weather, time] = callsOf(first);
      const second = await openai().chat.completions.create({
        model,
        messages: [
          { role: "user", content: parallelPrompt },
          first.choices[0].message,
          { role: "tool", tool_call_id: weather.id, content: JSON.stringify({ temperature: 18 }) },
          { role: "tool", tool_call_id: time.id, content: "noon" },
        ],
        tools: [weatherTool, timeTool],
      });
      assertTextAnswerQuoting(second, ["get_weather returned", "18", "get_time returned noon"]);
    });

    test("after a tool result, a later user turn is answered as asked", async () => {
      const first = await openai().chat.completions.create(forced("Weather in Oslo?"));
      const [call] = callsOf(first);
      const second = await openai().chat.completions.create({
        model,
        messages: [
          { role: "user", content: "Weather in Oslo?" },
          first.choices[0].message,
          { role: "tool", tool_call_id: call.id, content: JSON.stringify({ temperature: 3 }) },
          { role: "user", content: '[[sim reply="It is 3 degrees in Oslo."]]' },
        ],
        tools: [weatherTool],
      });
      assert.equal(second.choices[0].message.content, "It is 3 degrees in Oslo.");
    });
  });
}
