// @ts-check
// The generated TypeScript client against the real gateway binary, over each
// protocol the gateway serves on its one port.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  collectStream,
  createSwitchboardClient,
  errorDetail,
  errorReason,
  ErrorReason,
  FinishReason,
  KeySchema,
  ResponseFormat_Type,
  responseText,
  retryAfterMs,
  Role,
  textMessage,
  ToolChoice_Mode,
  toolResultMessage,
} from "@switchboard/client";
import { startGateway } from "./harness.mjs";

/** @type {import("./harness.mjs").Gateway} */
let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

/** @typedef {import("@switchboard/client").SwitchboardNodeOptions} Options */

/** @param {Partial<Options>} [overrides] */
function client(overrides = {}) {
  return createSwitchboardClient({ baseUrl: gw.baseUrl, apiKey: gw.apiKey, ...overrides });
}

const weatherTool = {
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
};

/**
 * Runs fn, which must fail with a ConnectError, and returns that error.
 * @param {() => Promise<unknown>} fn
 */
async function connectErrorOf(fn) {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof ConnectError, `expected a ConnectError, got ${err}`);
    return err;
  }
  assert.fail("the call succeeded; it should have failed");
}

/** @param {import("@switchboard/client").Usage | undefined} usage */
function assertUsage(usage) {
  assert.ok(usage, "usage is present");
  assert.ok(usage.inputTokens > 0n, "input tokens counted");
  assert.ok(usage.outputTokens > 0n, "output tokens counted");
  assert.equal(usage.totalTokens, usage.inputTokens + usage.outputTokens);
}

/** @type {Array<{name: string, options: Partial<Options>}>} */
const protocols = [
  { name: "connect over HTTP/1.1", options: { protocol: "connect" } },
  { name: "connect over HTTP/2", options: { protocol: "connect", httpVersion: "2" } },
  { name: "connect with JSON", options: { protocol: "connect", useBinaryFormat: false } },
  { name: "grpc", options: { protocol: "grpc" } },
  { name: "grpc-web", options: { protocol: "grpc-web" } },
];

for (const { name, options } of protocols) {
  describe(`generated client, ${name}`, () => {
    test("Complete returns the answer with usage", async () => {
      const res = await client(options).completion.complete({
        model: "demo",
        messages: [textMessage("system", "Be brief."), textMessage("user", '[[sim reply="Hello from the gateway."]]')],
      });
      assert.equal(responseText(res), "Hello from the gateway.");
      assert.equal(res.choices.length, 1);
      assert.equal(res.choices[0].message?.role, Role.ASSISTANT);
      assert.equal(res.choices[0].finishReason, FinishReason.STOP);
      assert.ok(res.id, "response has an id");
      assert.ok(res.provider, "response names the provider");
      assertUsage(res.usage);
    });

    test("StreamComplete streams the answer, usage on the last message", async () => {
      /** @type {import("@switchboard/client").StreamCompleteResponse[]} */
      const chunks = [];
      const stream = client(options).completion.streamComplete({
        model: "demo",
        messages: [textMessage("user", '[[sim reply="One two three four five six seven."]]')],
      });
      const res = await collectStream(stream, (c) => chunks.push(c));
      assert.equal(responseText(res), "One two three four five six seven.");
      assert.ok(chunks.filter((c) => c.text !== "").length > 1, "text arrives in more than one delta");
      assertUsage(chunks.at(-1)?.usage);
      assert.equal(res.choices[0].finishReason, FinishReason.STOP);
    });

    test("a bad key is Unauthenticated, unary and streaming", async () => {
      const bad = client({ ...options, apiKey: "sk-sb-notarealkey" });
      const unary = await connectErrorOf(() =>
        bad.completion.complete({ model: "demo", messages: [textMessage("user", "hi")] }),
      );
      assert.equal(unary.code, Code.Unauthenticated);
      assert.equal(errorReason(unary), ErrorReason.UNAUTHENTICATED);
      const streaming = await connectErrorOf(() =>
        collectStream(bad.completion.streamComplete({ model: "demo", messages: [textMessage("user", "hi")] })),
      );
      assert.equal(streaming.code, Code.Unauthenticated);
      assert.equal(errorReason(streaming), ErrorReason.UNAUTHENTICATED);
      assert.ok(!streaming.message.includes("sk-sb-notarealkey"), "the error does not echo the key");
    });
  });
}

describe("generated client, tools and formats", () => {
  test("a forced tool choice yields a call with schema-valid arguments", async () => {
    const res = await client().completion.complete({
      model: "demo",
      messages: [textMessage("user", "What is the weather in Paris?")],
      tools: [weatherTool],
      toolChoice: { mode: ToolChoice_Mode.FUNCTION, functionName: "get_weather" },
    });
    const calls = res.choices[0].message?.toolCalls ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, "get_weather");
    assert.ok(calls[0].id, "the call has an id");
    const args = JSON.parse(calls[0].arguments);
    assert.equal(typeof args.city, "string");
    assert.ok(["celsius", "fahrenheit"].includes(args.unit), `unit ${args.unit} is in the enum`);
  });

  test("a streamed tool call assembles into parseable arguments", async () => {
    const res = await collectStream(
      client({ protocol: "grpc" }).completion.streamComplete({
        model: "demo",
        messages: [textMessage("user", "What is the weather in Oslo?")],
        tools: [weatherTool],
        toolChoice: { mode: ToolChoice_Mode.FUNCTION, functionName: "get_weather" },
      }),
    );
    const calls = res.choices[0].message?.toolCalls ?? [];
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, "get_weather");
    const args = JSON.parse(calls[0].arguments);
    assert.deepEqual(Object.keys(args).sort(), ["city", "unit"]);
    assertUsage(res.usage);
  });

  test("a tool result goes back and the conversation continues", async () => {
    const sb = client();
    const first = await sb.completion.complete({
      model: "demo",
      messages: [textMessage("user", "Weather in Rome?")],
      tools: [weatherTool],
      toolChoice: { mode: ToolChoice_Mode.FUNCTION, functionName: "get_weather" },
    });
    const assistant = first.choices[0].message;
    assert.ok(assistant);
    const call = assistant.toolCalls[0];
    const second = await sb.completion.complete({
      model: "demo",
      messages: [
        textMessage("user", "Weather in Rome?"),
        assistant,
        toolResultMessage(call.id, JSON.stringify({ temperature: 21 })),
        textMessage("user", '[[sim reply="It is 21 degrees in Rome."]]'),
      ],
      tools: [weatherTool],
    });
    assert.equal(responseText(second), "It is 21 degrees in Rome.");
  });

  test("json_schema yields JSON with the required keys", async () => {
    const res = await client().completion.complete({
      model: "demo",
      messages: [textMessage("user", "Invent a person.")],
      responseFormat: {
        type: ResponseFormat_Type.JSON_SCHEMA,
        name: "person",
        strict: true,
        schema: {
          type: "object",
          properties: { name: { type: "string" }, age: { type: "integer" } },
          required: ["name", "age"],
          additionalProperties: false,
        },
      },
    });
    const person = JSON.parse(responseText(res));
    assert.equal(typeof person.name, "string");
    assert.ok(Number.isInteger(person.age), "age is an integer");
  });

  test("Embed returns one vector per input", async () => {
    const res = await client().completion.embed({ model: "demo", inputs: ["first", "second"] });
    assert.equal(res.embeddings.length, 2);
    assert.deepEqual(
      res.embeddings.map((e) => e.index),
      [0, 1],
    );
    assert.ok(res.embeddings[0].values.length > 0);
    assert.equal(res.embeddings[0].values.length, res.embeddings[1].values.length);
  });

  test("ListModels lists demo", async () => {
    const res = await client().completion.listModels({});
    assert.ok(
      res.models.some((m) => m.id === "demo"),
      `demo among ${res.models.map((m) => m.id).join(", ")}`,
    );
  });
});

describe("generated client, errors", () => {
  test("an unknown model is NotFound", async () => {
    const err = await connectErrorOf(() =>
      client().completion.complete({ model: "no-such-model", messages: [textMessage("user", "hi")] }),
    );
    assert.equal(err.code, Code.NotFound);
    assert.equal(errorReason(err), ErrorReason.NOT_FOUND);
  });

  test("an upstream 503 is Unavailable with an upstream reason", async () => {
    const err = await connectErrorOf(() =>
      client().completion.complete({ model: "demo", messages: [textMessage("user", "[[sim status=503]]")] }),
    );
    assert.equal(err.code, Code.Unavailable);
    const detail = errorDetail(err);
    assert.ok(detail, "the error carries an ErrorDetail");
    assert.ok(
      [ErrorReason.OVERLOADED, ErrorReason.UPSTREAM, ErrorReason.UNAVAILABLE].includes(detail.reason),
      `reason ${ErrorReason[detail.reason]}`,
    );
    assert.equal(detail.upstreamStatus, 503);
  });

  test("an upstream 429 is ResourceExhausted with retry_after", async () => {
    const err = await connectErrorOf(() =>
      client({ protocol: "grpc" }).completion.complete({
        model: "demo",
        messages: [textMessage("user", "[[sim status=429 retry_after=2]]")],
      }),
    );
    assert.equal(err.code, Code.ResourceExhausted);
    assert.equal(errorReason(err), ErrorReason.RATE_LIMITED);
    assert.equal(retryAfterMs(err), 2000);
  });

  test("a stream cut upstream ends in an error, and the gateway keeps serving", async () => {
    /** @type {string[]} */
    const texts = [];
    const err = await connectErrorOf(() =>
      collectStream(
        client().completion.streamComplete({
          model: "demo",
          messages: [textMessage("user", "Tell me a long story. [[sim disconnect_after=2]]")],
        }),
        (c) => texts.push(c.text),
      ),
    );
    assert.equal(err.code, Code.Unavailable);
    assert.equal(errorReason(err), ErrorReason.UPSTREAM);
    assert.ok(texts.join("").length > 0, "the chunks before the cut arrived");
    const res = await client().completion.complete({ model: "demo", messages: [textMessage("user", "still there?")] });
    assert.ok(responseText(res).length > 0);
  });

  test("a virtual key cannot use AdminService", async () => {
    const err = await connectErrorOf(() => client().admin.listKeys({}));
    assert.equal(err.code, Code.PermissionDenied);
    assert.equal(errorReason(err), ErrorReason.PERMISSION_DENIED);
  });
});

describe("generated client, AdminService", () => {
  test("a key created, used, listed and revoked", async () => {
    const admin = client({ adminKey: gw.adminKey }).admin;
    const created = await admin.createKey({ name: "revoke-me" });
    assert.ok(created.secret.startsWith("sk-sb-"));
    const keyId = created.key?.id ?? "";
    assert.ok(keyId, "the key has an id");

    const user = client({ apiKey: created.secret });
    const ok = await user.completion.complete({ model: "demo", messages: [textMessage("user", "hi")] });
    assert.ok(responseText(ok).length > 0);

    const listed = await admin.listKeys({});
    assert.ok(listed.keys.some((k) => k.id === keyId));
    assert.ok(
      listed.keys.every((k) => !toJsonString(KeySchema, k).includes(created.secret)),
      "ListKeys never returns the secret",
    );

    const revoked = await admin.revokeKey({ id: keyId });
    assert.ok(revoked.key?.revokeTime, "the key records when it was revoked");
    const err = await connectErrorOf(() =>
      user.completion.complete({ model: "demo", messages: [textMessage("user", "hi")] }),
    );
    assert.equal(err.code, Code.Unauthenticated);
  });
});
