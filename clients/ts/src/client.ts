// The part of the client factory that does not depend on where it runs: the
// authorization interceptor and the service clients built over a transport.
// The Node entry (index.ts) and the browser entry (web.ts) differ only in how
// they build the transport.
import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { AdminService } from "./gen/switchboard/v1/admin_pb.js";
import { CompletionService } from "./gen/switchboard/v1/completion_pb.js";

/** Typed clients for both Switchboard services over one transport. */
export interface SwitchboardClient {
  /** Complete, StreamComplete, Embed and ListModels; needs a virtual key ("sk-sb-..."). */
  completion: Client<typeof CompletionService>;
  /** Key management; needs the admin key. */
  admin: Client<typeof AdminService>;
}

/** Credentials for the two services: they take different keys. */
export interface SwitchboardKeys {
  /** A virtual key ("sk-sb-..."), sent on CompletionService calls. */
  apiKey: string;
  /**
   * The admin key, sent on AdminService calls. Defaults to apiKey, so a
   * client made only for administration can pass the admin key as apiKey.
   */
  adminKey?: string;
}

/**
 * Options shared by every way of building a client over a transport the
 * package creates for you.
 */
export interface SwitchboardEndpointOptions extends SwitchboardKeys {
  /** Where the gateway listens, e.g. "http://127.0.0.1:8080". */
  baseUrl: string;
  /** Extra interceptors, run after the one that adds the Authorization header. */
  interceptors?: Interceptor[];
}

/**
 * Options for a transport you built yourself. The factory adds nothing to it:
 * put bearerAuth(...) in its interceptors so requests carry the key.
 */
export interface SwitchboardTransportOptions {
  transport: Transport;
}

const adminServiceName = AdminService.typeName;

/**
 * An interceptor that sends "Authorization: Bearer <key>" on every call: the
 * admin key on AdminService calls and the virtual key on all others.
 */
export function bearerAuth(keys: SwitchboardKeys | string): Interceptor {
  const { apiKey, adminKey } = typeof keys === "string" ? { apiKey: keys, adminKey: undefined } : keys;
  if (!apiKey) {
    // Failing here beats a round trip that can only end in Unauthenticated.
    throw new Error("switchboard: an API key is required");
  }
  const completionHeader = `Bearer ${apiKey}`;
  const adminHeader = `Bearer ${adminKey ?? apiKey}`;
  return (next) => async (req) => {
    req.header.set("Authorization", req.service.typeName === adminServiceName ? adminHeader : completionHeader);
    return next(req);
  };
}

/** The service clients over an existing transport. */
export function clientsOver(transport: Transport): SwitchboardClient {
  return {
    completion: createClient(CompletionService, transport),
    admin: createClient(AdminService, transport),
  };
}

/** The interceptor chain of a transport this package builds. */
export function interceptorsFor(options: SwitchboardEndpointOptions): Interceptor[] {
  return [bearerAuth(options), ...(options.interceptors ?? [])];
}
