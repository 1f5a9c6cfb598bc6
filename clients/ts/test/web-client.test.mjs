// @ts-check
// The browser entry, @switchboard/client/web, against the real gateway. Node's
// fetch stands in for a browser's: the transports are the same fetch-based
// code a page runs. The preflight test checks what a browser would ask first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  collectStream,
  createSwitchboardClient,
  errorReason,
  ErrorReason,
  responseText,
  textMessage,
} from "@switchboard/client/web";
import { startGateway } from "./harness.mjs";
import { aliases } from "./providers.mjs";

/** @type {import("./harness.mjs").Gateway} */
let gw;
before(async () => {
  gw = await startGateway();
});
after(async () => {
  await gw?.stop();
});

for (const protocol of /** @type {const} */ (["connect", "grpc-web"])) {
  describe(`web client, ${protocol}`, () => {
    for (const model of aliases) {
      test(`Complete and StreamComplete on ${model}`, async () => {
        const sb = createSwitchboardClient({ baseUrl: gw.baseUrl, apiKey: gw.apiKey, protocol });
        const res = await sb.completion.complete({
          model,
          messages: [textMessage("user", '[[sim reply="Hello, browser."]]')],
        });
        assert.equal(responseText(res), "Hello, browser.");

        let deltas = 0;
        const streamed = await collectStream(
          sb.completion.streamComplete({
            model,
            messages: [textMessage("user", '[[sim reply="A streamed hello to the page."]]')],
          }),
          (c) => {
            deltas += c.text === "" ? 0 : 1;
          },
        );
        assert.equal(responseText(streamed), "A streamed hello to the page.");
        assert.ok(deltas > 1, "text arrives in more than one delta");
        assert.ok(streamed.usage && streamed.usage.outputTokens > 0n, "usage arrives");
      });
    }

    test("a bad key is Unauthenticated", async () => {
      const sb = createSwitchboardClient({ baseUrl: gw.baseUrl, apiKey: "sk-sb-notarealkey", protocol });
      await assert.rejects(
        sb.completion.complete({ model: "demo", messages: [textMessage("user", "hi")] }),
        (err) => err instanceof ConnectError && err.code === Code.Unauthenticated && errorReason(err) === ErrorReason.UNAUTHENTICATED,
      );
    });
  });
}

test("a browser's CORS preflight for a Connect call is allowed", async () => {
  const res = await fetch(`${gw.baseUrl}/switchboard.v1.CompletionService/Complete`, {
    method: "OPTIONS",
    headers: {
      Origin: "http://localhost:5173",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization,content-type,connect-protocol-version",
    },
  });
  await res.arrayBuffer();
  assert.ok(res.status === 200 || res.status === 204, `preflight status ${res.status}`);
  const allowOrigin = res.headers.get("access-control-allow-origin");
  assert.ok(allowOrigin === "*" || allowOrigin === "http://localhost:5173", `allow-origin ${allowOrigin}`);
  const allowHeaders = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
  assert.ok(allowHeaders.includes("authorization"), `allow-headers ${allowHeaders}`);
});
