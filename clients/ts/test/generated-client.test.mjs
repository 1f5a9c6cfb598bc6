// @ts-check
// The generated TypeScript client against the real gateway binary, over each
// protocol the gateway serves on its one port, and on each provider's
// translator (the aliases of providers.mjs). Tool calls are in
// generated-client-tools.test.mjs.
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
} from "@switchboard/client";
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

/** @typedef {import("@switchboard/client").SwitchboardNodeOptions} Options */

/** @param {Partial<Options>} [overrides] */
function client(overrides = {}) {
  return createSwitchboardClient({ baseUrl: gw.baseUrl, apiKey: gw.apiKey, ...overrides });
}

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

/**
 * What must match across providers for the same request: the answer, why it
 * ended, and every token count.
 * @param {import("@switchboard/client").CompleteResponse} res
 */
function outcome(res) {
  return { text: responseText(res), finish: res.choices[0].finishReason, usage: res.usage };
}

const personFormat = {
  type: ResponseFormat_Type.JSON_SCHEMA,
  name: "person",
  strict: true,
  schema: personSchema,
};

for (const model of aliases) {
  describe(`generated client on ${model}`, () => {
    for (const [scenario, turns] of Object.entries(conversations)) {
      test(`${scenario}: the same answer and usage as on demo`, async () => {
        const messages = turns.map((t) => textMessage(t.role, t.content));
        const [res, baseline] = await Promise.all([
          client().completion.complete({ model, messages }),
          client().completion.complete({ model: "demo", messages }),
        ]);
        assert.ok(responseText(res), "the simulator answers");
        assert.equal(res.choices[0].finishReason, FinishReason.STOP);
        assertUsage(res.usage);
        assert.deepEqual(outcome(res), outcome(baseline));
      });
    }

    test("a streamed answer is the unary one, usage included", async () => {
      const req = { model, messages: [textMessage("user", "Tell me about streams.")] };
      /** @type {import("@switchboard/client").StreamCompleteResponse[]} */
      const chunks = [];
      const [unary, res] = await Promise.all([
        client().completion.complete(req),
        collectStream(client({ protocol: "grpc" }).completion.streamComplete(req), (c) => chunks.push(c)),
      ]);
      assert.equal(responseText(res), responseText(unary));
      assert.ok(chunks.filter((c) => c.text !== "").length > 1, "text arrives in more than one delta");
      assert.equal(res.choices[0].finishReason, FinishReason.STOP);
      assert.deepEqual(chunks.at(-1)?.usage, unary.usage, "the last message carries the unary usage");
    });

    test("usage counts cached input, unary and streamed, as on demo", async () => {
      const req = { model, messages: [textMessage("user", "A long prompt [[sim cached=4]]")] };
      const [res, baseline, stream] = await Promise.all([
        client().completion.complete(req),
        client().completion.complete({ ...req, model: "demo" }),
        collectStream(client({ protocol: "grpc" }).completion.streamComplete(req)),
      ]);
      assertUsage(res.usage);
      assert.equal(res.usage?.cachedInputTokens, 4n);
      assert.ok((res.usage?.inputTokens ?? 0n) >= 4n, "cached input is part of the input");
      assert.deepEqual(outcome(res), outcome(baseline));
      assert.deepEqual(stream.usage, res.usage, "the streamed usage is the unary one");
    });

    test("json_schema yields JSON valid against the schema, unary and streamed", async () => {
      const req = { model, messages: [textMessage("user", "Invent a person.")], responseFormat: personFormat };
      const [res, stream] = await Promise.all([
        client().completion.complete(req),
        collectStream(client({ protocol: "grpc" }).completion.streamComplete(req)),
      ]);
      assert.equal(res.choices[0].finishReason, FinishReason.STOP);
      assert.deepEqual(res.choices[0].message?.toolCalls, [], "the answer is text, not a tool call");
      assertValidJSON(responseText(res), personSchema);
      assert.equal(responseText(stream), responseText(res));
    });
  });

  describe(`generated client, upstream errors on ${model}`, () => {
    for (const { directive, status, connectCode, reason, code, retryAfterSeconds } of errorClasses) {
      const req = { model, messages: [textMessage("user", `hi ${directive}`)] };
      for (const { how, call } of [
        { how: "Complete", call: () => client().completion.complete(req) },
        {
          how: "StreamComplete over gRPC",
          call: () => collectStream(client({ protocol: "grpc" }).completion.streamComplete(req)),
        },
      ]) {
        test(`${directive} through ${how} is ${connectCode}, reason ${reason}`, async () => {
          const err = await connectErrorOf(call);
          assert.equal(err.code, Code[connectCode]);
          const detail = errorDetail(err);
          assert.ok(detail, "the error carries an ErrorDetail");
          assert.equal(ErrorReason[detail.reason], reason);
          assert.equal(detail.upstreamStatus, status, "the provider's status is kept");
          if (code) {
            assert.equal(detail.code, code);
          }
          if (retryAfterSeconds) {
            assert.equal(retryAfterMs(err), retryAfterSeconds * 1000);
          }
          assert.ok(detail.provider, "the detail names the provider");
          assert.ok(!err.message.includes("sim-no-key-needed"), "the message does not leak the provider key");
        });
      }
    }
  });
}

describe("generated client, embeddings and models", () => {
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

  test("ListModels lists every alias", async () => {
    const res = await client().completion.listModels({});
    const ids = res.models.map((m) => m.id);
    for (const alias of aliases) {
      assert.ok(ids.includes(alias), `${alias} among ${ids.join(", ")}`);
    }
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
