// @switchboard/client/web for browsers (and any runtime with fetch and
// streaming response bodies): the same API as the Node entry over
// @connectrpc/connect-web. Browsers cannot speak plain gRPC, so the protocols
// are Connect and gRPC-Web; the gateway's CORS policy must allow the page's origin.
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  clientsOver,
  interceptorsFor,
  type SwitchboardClient,
  type SwitchboardEndpointOptions,
  type SwitchboardTransportOptions,
} from "./client.js";

export * from "./gen.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./messages.js";
export * from "./stream.js";

/** The wire protocols a browser can use. */
export type WebProtocol = "connect" | "grpc-web";

/** Options of createSwitchboardClient in a browser. */
export interface SwitchboardWebOptions extends SwitchboardEndpointOptions {
  /** Defaults to "connect". */
  protocol?: WebProtocol;
  /** Send binary protobuf instead of JSON. Defaults to true. */
  useBinaryFormat?: boolean;
  /** A fetch implementation other than globalThis.fetch. */
  fetch?: typeof globalThis.fetch;
}

/** Builds the fetch-based transport for the options. */
export function createSwitchboardTransport(options: SwitchboardWebOptions): Transport {
  const { baseUrl, protocol = "connect", useBinaryFormat = true, fetch } = options;
  const interceptors = interceptorsFor(options);
  switch (protocol) {
    case "connect":
      return createConnectTransport({ baseUrl, interceptors, useBinaryFormat, fetch });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, interceptors, useBinaryFormat, fetch });
    default:
      throw new Error(`switchboard: unknown protocol ${JSON.stringify(protocol satisfies never)}`);
  }
}

/** Clients for CompletionService and AdminService over fetch. */
export function createSwitchboardClient(
  options: SwitchboardWebOptions | SwitchboardTransportOptions,
): SwitchboardClient {
  if ("transport" in options) {
    return clientsOver(options.transport);
  }
  return clientsOver(createSwitchboardTransport(options));
}
