// @switchboard/client for Node.js: the generated Switchboard API plus a
// factory that builds authorized clients over the Connect, gRPC or gRPC-Web
// protocol. Browsers use "@switchboard/client/web".
import type { Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from "@connectrpc/connect-node";
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

/** The wire protocols the gateway serves on its one port. */
export type Protocol = "connect" | "grpc" | "grpc-web";

/** Options of createSwitchboardClient in Node.js. */
export interface SwitchboardNodeOptions extends SwitchboardEndpointOptions {
  /** Defaults to "connect". */
  protocol?: Protocol;
  /**
   * HTTP version for "connect" and "grpc-web": "1.1" (the default, which
   * passes through any proxy) or "2" (unencrypted HTTP/2 for http:// URLs).
   * gRPC always uses HTTP/2.
   */
  httpVersion?: "1.1" | "2";
  /** Send binary protobuf instead of JSON (Connect and gRPC-Web). Defaults to true. */
  useBinaryFormat?: boolean;
}

/** Builds the Node.js transport for the options. */
export function createSwitchboardTransport(options: SwitchboardNodeOptions): Transport {
  const { baseUrl, protocol = "connect", httpVersion = "1.1", useBinaryFormat = true } = options;
  const interceptors = interceptorsFor(options);
  switch (protocol) {
    case "connect":
      return createConnectTransport({ baseUrl, httpVersion, interceptors, useBinaryFormat });
    case "grpc":
      return createGrpcTransport({ baseUrl, interceptors });
    case "grpc-web":
      return createGrpcWebTransport({ baseUrl, httpVersion, interceptors, useBinaryFormat });
    default:
      throw new Error(`switchboard: unknown protocol ${JSON.stringify(protocol satisfies never)}`);
  }
}

/**
 * Clients for CompletionService and AdminService.
 *
 *   const sb = createSwitchboardClient({ baseUrl: "http://127.0.0.1:8080", apiKey: "sk-sb-..." });
 *   const res = await sb.completion.complete({ model: "demo", messages: [textMessage("user", "Hi")] });
 */
export function createSwitchboardClient(
  options: SwitchboardNodeOptions | SwitchboardTransportOptions,
): SwitchboardClient {
  if ("transport" in options) {
    return clientsOver(options.transport);
  }
  return clientsOver(createSwitchboardTransport(options));
}
