// @ts-check
// Tool calls through the generated client on the proto API, on each
// provider's translator: forced and parallel calls, the same call assembled
// from StreamComplete's argument deltas, and results sent back. Only the ids
// and the fragmenting of streamed arguments may differ between providers
// (docs/providers.md).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  collectStream,
  createSwitchboardClient,
  FinishReason,
  responseText,
  textMessage,
  ToolChoice_Mode,
  toolResultMessage,
} from "@switchboard/client";
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

/** @typedef {import("@switchboard/client").SwitchboardNodeOptions} Options */
/** @typedef {import("@switchboard/client").CompleteResponse} CompleteResponse */
/** @typedef {import("@switchboard/client").StreamCompleteResponse} StreamCompleteResponse */

/** @param {Partial<Options>} [overrides] */
function client(overrides = {}) {
  return createSwitchboardClient({ baseUrl: gw.baseUrl, apiKey: gw.apiKey, ...overrides });
}

const weatherTool = { name: "get_weather", description: "Current weather in a city", parameters: weatherSchema };
const timeTool = { name: "get_time", description: "The time now", parameters: timeSchema };

/**
 * The calls of an answer as plain values, for deep comparison.
 * @param {CompleteResponse} res
 */
function callsOf(res) {
  return (res.choices[0].message?.toolCalls ?? []).map(({ id, name, arguments: args, signature }) => ({
    id,
    name,
    arguments: args,
    signature,
  }));
}

/**
 * Streams a request over gRPC and returns the assembled answer and the number
 * of non-empty argument deltas each call arrived in.
 * @param {Parameters<ReturnType<typeof client>["completion"]["streamComplete"]>[0]} req
 */
async function streamed(req) {
  /** @type {Map<number, number>} */
  const deltas = new Map();
  const res = await collectStream(client({ protocol: "grpc" }).completion.streamComplete(req), (chunk) => {
    for (const d of chunk.toolCalls) {
      if (d.argumentsDelta !== "") {
        deltas.set(d.index, (deltas.get(d.index) ?? 0) + 1);
      }
    }
  });
  const argumentDeltas = [...deltas.entries()].sort(([a], [b]) => a - b).map(([, n]) => n);
  return { res, argumentDeltas };
}

/**
 * The answer after tool results is text quoting each result under its
 * function's name: the simulator quotes what it received.
 * @param {CompleteResponse} res
 * @param {string[]} quoted
 */
function assertTextAnswerQuoting(res, quoted) {
  assert.equal(res.choices[0].finishReason, FinishReason.STOP);
  assert.deepEqual(callsOf(res), [], "no further tool call");
  const text = responseText(res);
  for (const q of quoted) {
    assert.ok(text.includes(q), `the answer ${JSON.stringify(text)} quotes ${JSON.stringify(q)}`);
  }
}

for (const model of aliases) {
  describe(`generated client, tools on ${model}`, () => {
    const forced = (text = "What is the weather in Paris?") => ({
      model,
      messages: [textMessage("user", text)],
      tools: [weatherTool],
      toolChoice: { mode: ToolChoice_Mode.FUNCTION, functionName: "get_weather" },
    });
    const parallel = () => ({
      model,
      messages: [textMessage("user", parallelPrompt)],
      tools: [weatherTool, timeTool],
      toolChoice: { mode: ToolChoice_Mode.AUTO },
    });

    test("a forced tool choice yields one call with schema-valid arguments, the same as on demo", async () => {
      const [res, baseline] = await Promise.all([
        client().completion.complete(forced()),
        client().completion.complete({ ...forced(), model: "demo" }),
      ]);
      assert.equal(res.choices[0].finishReason, FinishReason.TOOL_CALLS);
      const calls = callsOf(res);
      assert.equal(calls.length, 1);
      assert.ok(calls[0].id.startsWith(toolCallIdPrefix[model]), `id ${calls[0].id} starts with ${toolCallIdPrefix[model]}`);
      assert.equal(calls[0].name, "get_weather");
      assertValidJSON(calls[0].arguments, weatherSchema);
      const [demoCall] = callsOf(baseline);
      assert.deepEqual(
        { name: calls[0].name, arguments: calls[0].arguments },
        { name: demoCall.name, arguments: demoCall.arguments },
        "name and arguments as on demo",
      );
    });

    test("a streamed forced call assembles into the unary call: same id, name and arguments", async () => {
      const [unary, { res, argumentDeltas }] = await Promise.all([client().completion.complete(forced()), streamed(forced())]);
      assert.deepEqual(callsOf(res), callsOf(unary));
      assert.equal(res.choices[0].finishReason, FinishReason.TOOL_CALLS);
      if (streamsToolArgumentsWhole(model)) {
        assert.deepEqual(argumentDeltas, [1], "Gemini sends the call whole");
      } else {
        assert.ok(argumentDeltas[0] > 1, `arguments stream in fragments (${argumentDeltas[0]})`);
      }
      assert.deepEqual(res.usage, unary.usage, "usage is the same streamed");
    });

    test("parallel tool calls, one without parameters", async () => {
      const res = await client().completion.complete(parallel());
      assert.equal(res.choices[0].finishReason, FinishReason.TOOL_CALLS);
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
      const [unary, { res, argumentDeltas }] = await Promise.all([
        client().completion.complete(parallel()),
        streamed(parallel()),
      ]);
      assert.deepEqual(callsOf(res), callsOf(unary));
      if (streamsToolArgumentsWhole(model)) {
        assert.deepEqual(argumentDeltas, [1, 1], "Gemini sends each call whole");
      }
    });

    test("a forced call's result goes back and the answer is text quoting it", async () => {
      const sb = client();
      const first = await sb.completion.complete(forced("Weather in Rome?"));
      const assistant = first.choices[0].message;
      assert.ok(assistant);
      const second = await sb.completion.complete({
        model,
        messages: [
          textMessage("user", "Weather in Rome?"),
          assistant,
          toolResultMessage(assistant.toolCalls[0].id, JSON.stringify({ temperature: 21 })),
        ],
        tools: [weatherTool],
      });
      assertTextAnswerQuoting(second, ["get_weather returned", "21"]);
    });

    test("both parallel results go back in one turn and the answer is text quoting each", async () => {
      const sb = client();
      const first = await sb.completion.complete(parallel());
      const assistant = first.choices[0].message;
      assert.ok(assistant);
      const [weather, time] = assistant.toolCalls;
      const second = await sb.completion.complete({
        model,
        messages: [
          textMessage("user", parallelPrompt),
          assistant,
          toolResultMessage(weather.id, JSON.stringify({ temperature: 18 })),
          toolResultMessage(time.id, "noon"),
        ],
        tools: [weatherTool, timeTool],
      });
      assertTextAnswerQuoting(second, ["get_weather returned", "18", "get_time returned noon"]);
    });
  });
}
