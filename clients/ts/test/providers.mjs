// @ts-check
// What the cross-provider tests share: the three aliases of the embedded
// defaults, each reaching the in-process simulator through the real
// translator of one provider (OpenAI, Anthropic Messages, Gemini); the
// differences between them that docs/providers.md documents; the schemas the
// tool and JSON scenarios use; and a small JSON Schema check.
import assert from "node:assert/strict";

/** Every result must be the same on these, except where docs/providers.md says otherwise. */
export const aliases = /** @type {const} */ (["demo", "demo-anthropic", "demo-gemini"]);

/** @typedef {typeof aliases[number]} Alias */

/**
 * How tool-call ids begin on each alias: OpenAI issues call_..., Anthropic
 * toolu_..., and Gemini issues none, so the gateway gives each call gcall_....
 * @type {Record<Alias, string>}
 */
export const toolCallIdPrefix = { demo: "call_", "demo-anthropic": "toolu_", "demo-gemini": "gcall_" };

/**
 * Gemini sends each tool call whole, so its stream carries one argument delta
 * per call; OpenAI and Anthropic stream arguments in fragments.
 * @param {Alias} alias
 */
export const streamsToolArgumentsWhole = (alias) => alias === "demo-gemini";

/**
 * Conversations whose answer must be identical on every alias: the simulator
 * answers from a hash of what it receives, so equal answers (and token
 * counts) show that each translator carried the system prompt and every turn
 * across unchanged.
 * @typedef {{role: "system" | "user" | "assistant", content: string}} Turn
 * @type {Record<string, Turn[]>}
 */
export const conversations = {
  "plain text": [{ role: "user", content: "Tell me about gateways." }],
  "system prompt": [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Tell me about gateways." },
  ],
  "multi-turn": [
    { role: "user", content: "Hi." },
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Tell me more." },
  ],
};

/** A user turn that names two tools: with tool_choice auto the simulator calls both, in order. */
export const parallelPrompt = "Call get_weather for Paris and get_time.";

export const weatherSchema = {
  type: "object",
  properties: {
    city: { type: "string" },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
};

/** A tool without parameters: Anthropic streams its input as one empty partial_json. */
export const timeSchema = { type: "object", properties: {} };

export const personSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    age: { type: "integer", minimum: 0 },
    languages: { type: "array", items: { type: "string" } },
  },
  required: ["name", "age", "languages"],
  additionalProperties: false,
};

/**
 * The error classes the simulator provokes, and how each front door must
 * report them whatever the provider's own error format: on the shim the
 * OpenAI status, error type and code (Retry-After kept); on the proto API the
 * Connect code and ErrorDetail reason (and code, and retry_after).
 */
export const errorClasses = /** @type {const} */ ([
  {
    directive: "[[sim status=429 retry_after=2]]",
    status: 429,
    type: "rate_limit_error",
    code: undefined,
    retryAfterSeconds: 2,
    connectCode: "ResourceExhausted",
    reason: "RATE_LIMITED",
  },
  {
    directive: "[[sim status=503]]",
    status: 503,
    type: "server_error",
    code: undefined,
    retryAfterSeconds: undefined,
    connectCode: "Unavailable",
    reason: "OVERLOADED",
  },
  {
    directive: "[[sim status=400 code=context_length_exceeded]]",
    status: 400,
    type: "invalid_request_error",
    code: "context_length_exceeded",
    retryAfterSeconds: undefined,
    connectCode: "InvalidArgument",
    reason: "CONTEXT_TOO_LONG",
  },
]);

/**
 * @typedef {object} Schema
 * @property {string} [type]
 * @property {Record<string, Schema>} [properties]
 * @property {string[]} [required]
 * @property {boolean} [additionalProperties]
 * @property {Schema} [items]
 * @property {unknown[]} [enum]
 * @property {number} [minimum]
 */

/** @type {Record<string, (v: unknown) => boolean>} */
const typeChecks = {
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === "string",
  integer: (v) => Number.isInteger(v),
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  null: (v) => v === null,
};

/**
 * Asserts that value is valid against the JSON Schema subset these tests use
 * (type, properties, required, additionalProperties: false, items, enum,
 * minimum), naming the path that failed. Written out so the check needs no
 * extra dependency.
 * @param {unknown} value
 * @param {Schema} schema
 * @param {string} [path]
 */
export function assertValid(value, schema, path = "$") {
  if (schema.type !== undefined) {
    const check = typeChecks[schema.type];
    assert.ok(check, `${path}: the check does not know type ${schema.type}`);
    assert.ok(check(value), `${path}: expected ${schema.type}, got ${JSON.stringify(value)}`);
  }
  if (schema.enum) {
    assert.ok(schema.enum.includes(value), `${path}: ${JSON.stringify(value)} is not in ${JSON.stringify(schema.enum)}`);
  }
  if (schema.minimum !== undefined && typeof value === "number") {
    assert.ok(value >= schema.minimum, `${path}: ${value} is below the minimum ${schema.minimum}`);
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const properties = schema.properties ?? {};
    const object = /** @type {Record<string, unknown>} */ (value);
    for (const name of schema.required ?? []) {
      assert.ok(name in object, `${path}: required property ${name} is missing`);
    }
    for (const [name, item] of Object.entries(object)) {
      if (name in properties) {
        assertValid(item, properties[name], `${path}.${name}`);
      } else {
        assert.ok(schema.additionalProperties !== false, `${path}: unexpected property ${name}`);
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    value.forEach((item, i) => assertValid(item, items, `${path}[${i}]`));
  }
}

/**
 * Asserts that text is JSON valid against schema and returns the value.
 * @param {string | null | undefined} text
 * @param {Schema} schema
 */
export function assertValidJSON(text, schema) {
  /** @type {unknown} */
  let value;
  assert.doesNotThrow(() => {
    value = JSON.parse(text ?? "");
  }, `not JSON: ${text}`);
  assertValid(value, schema);
  return value;
}
