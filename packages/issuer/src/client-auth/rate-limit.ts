import type { ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { OAuthError } from "../errors/oauth-error.js";
import { StoreUnavailableError } from "../store/types.js";

function unavailable(error: StoreUnavailableError): OAuthError {
  return new OAuthError("temporarily_unavailable", "the server is temporarily unable to handle the request", {
    headers: { "Retry-After": "5" },
    detail: error.message,
  });
}

/** Runs a store operation; a store that cannot answer becomes a 503, never a 500. */
export async function fromStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw unavailable(error);
    throw error;
  }
}

/**
 * Counts one authentication attempt of a configured client, before any
 * expensive check (scrypt, a JWKS fetch), so that guessing a client's secret
 * is slowed to its rate limit. The price: failed attempts under a client's id
 * use up that client's budget too.
 */
export async function enforceClientRateLimit(ctx: IssuerContext, client: ResolvedClient): Promise<void> {
  const limit = client.rateLimitPerMinute;
  if (limit <= 0) return;
  const result = await fromStore(() => ctx.store.rateLimit(`client:${client.clientId}`, limit, 60_000));
  if (result.allowed) return;
  const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  throw new OAuthError("temporarily_unavailable", "too many requests", {
    status: 429,
    headers: { "Retry-After": String(seconds) },
    detail: `client ${JSON.stringify(client.clientId)} is over its rate limit of ${limit} requests per minute (rateLimitPerMinute or rateLimit.perClientPerMinute)`,
  });
}
