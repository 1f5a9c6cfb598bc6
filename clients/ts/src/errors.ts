// Reading the typed switchboard.v1.ErrorDetail that the gateway attaches to
// every error, so callers branch on a reason instead of parsing messages.
import { ConnectError } from "@connectrpc/connect";
import { ErrorReason, ErrorDetailSchema, type ErrorDetail } from "./gen/switchboard/v1/error_pb.js";

/**
 * The ErrorDetail carried by an error from a Switchboard call, or undefined
 * when the error did not come from the gateway (a network failure, a bug).
 */
export function errorDetail(err: unknown): ErrorDetail | undefined {
  if (!(err instanceof ConnectError)) {
    return undefined;
  }
  return err.findDetails(ErrorDetailSchema)[0];
}

/** The reason of an error, ERROR_REASON_UNSPECIFIED when it carries none. */
export function errorReason(err: unknown): ErrorReason {
  return errorDetail(err)?.reason ?? ErrorReason.UNSPECIFIED;
}

/** How long the gateway asked to wait before retrying, in milliseconds, when it said. */
export function retryAfterMs(err: unknown): number | undefined {
  const wait = errorDetail(err)?.retryAfter;
  if (!wait) {
    return undefined;
  }
  return Number(wait.seconds) * 1000 + Math.round(wait.nanos / 1e6);
}
