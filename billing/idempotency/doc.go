// Package idempotency makes a retried request return the first attempt's
// result instead of calling a provider (and charging) a second time.
//
// A client sends an Idempotency-Key with a request; the gateway calls
//
//	out, err := engine.Begin(ctx, namespacedKey, fingerprint, ttl)
//
// and acts on out.Kind:
//
//   - Started: this request holds the key. Run it, then store its result
//     with out.Complete(ctx, result), or free the key with out.Abandon(ctx).
//   - Replay: a request with the same key and fingerprint completed within
//     ttl; answer with out.Result, call nothing upstream, charge nothing.
//   - Conflict: the key was used for a different request (another
//     fingerprint): answer HTTP 422 (Connect InvalidArgument), as Stripe and
//     OpenAI-style APIs do.
//
// # Concurrent duplicates wait
//
// A duplicate that arrives while the first request still runs does not run
// too: Begin waits until the first completes and answers Replay with its
// result. If the first abandons, exactly one waiter takes the key over and
// answers Started (the others keep waiting for it). The wait ends with
// ErrInProgress when ctx ends or Options.MaxWait passes; the transport then
// answers 409 Conflict and the client retries later. Memory wakes waiters
// through a channel; Redis waiters poll the key with a jittered backoff
// from 2 ms to 100 ms (duplicates are rare, so this costs less than a
// pub/sub connection per gateway, and adds at most 100 ms to a replay).
//
// # Claims lapse
//
// A running request's claim lasts Options.LockTTL (30 s by default) and is
// renewed every LockTTL/3 in the background while the context given to
// Begin lives, so a long stream keeps its key while a crashed gateway (or a
// request whose context ended without Complete or Abandon) frees it within
// LockTTL; a waiter then takes over as Started. If a lapsed holder calls
// Complete after another request took the key, its result is not stored
// (ErrLeaseLost); if nobody took it, it is stored. Begin's context must
// therefore be the request's context, not one cancelled when Begin returns.
//
// # What to store
//
// The engine stores whatever bytes Complete is given; the wiring decides
// what deserves it. Complete for results that a retry must see again:
// success, and deterministic client errors (400 invalid request, 404 unknown
// model, 413, 422), encoded with their status. Abandon for everything a
// retry could change: 5xx and upstream failures, timeouts, 429 (rate limit
// or budget), 401/403, and a client that went away; the retry then runs for
// real. `defer out.Abandon(ctx)` right after a Started Begin is a safe guard:
// after Complete it does nothing. A stream is stored as its accumulated
// final response and replayed from it.
//
// # Keys and fingerprints
//
// The engine does not namespace keys: the caller prefixes them with the
// virtual key's id (for example "key_123:" + header value) so two tenants
// choosing the same Idempotency-Key never meet. The fingerprint identifies
// the request itself; Fingerprint hashes its parts (e.g. the route and the
// canonical request body) so that the same key with another body is a
// Conflict. ttl is how long a completed result is replayable (DefaultTTL,
// 24 h, when not positive).
//
// # Redis layout
//
// Each key is one hash "PREFIX" + "idempotency:" + key with fields state
// (running or done), fp, token (the running holder's random token, which
// Complete, Abandon and renewals must present) and result. It expires
// LockTTL after the last renewal while running and ttl after Complete. One
// Lua script per operation keeps each transition atomic; one key per script
// means Redis Cluster needs no hash tags.
package idempotency
