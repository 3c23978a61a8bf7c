// The check shared by client_secret_basic and client_secret_post (RFC 6749
// §2.3.1): the claimed client, its rate limit, the method, then the secret.

import { randomBytes } from "node:crypto";
import type { ClientAuthMethod, ResolvedClient } from "../config/types.js";
import type { IssuerContext } from "../context.js";
import { verifySecret } from "../secrets/hash.js";
import { clientAuthFailed, shown } from "./failure.js";
import { enforceClientRateLimit } from "./rate-limit.js";
import { clientAuthState } from "./state.js";

// A hash of nothing anyone knows, with the parameters of real ones: an
// unknown client id costs the same scrypt as a known one, so response times
// do not tell which client ids exist.
const DUMMY_HASH = `scrypt$15$8$1$${randomBytes(16).toString("base64url")}$${randomBytes(32).toString("base64url")}`;

async function burn(secret: string | undefined): Promise<void> {
  await verifySecret(secret === undefined || secret === "" ? "x" : secret, DUMMY_HASH);
}

/**
 * `clientIds` and `secrets` are the candidate spellings, best first (HTTP
 * Basic credentials may arrive form-encoded or raw, see client-secret-basic.ts);
 * body parameters have exactly one each.
 */
export async function authenticateWithSecret(
  ctx: IssuerContext,
  method: ClientAuthMethod,
  clientIds: readonly string[],
  secrets: readonly string[],
): Promise<ResolvedClient> {
  const { config } = ctx;
  let client: ResolvedClient | undefined;
  for (const id of clientIds) {
    client = config.clients.get(id);
    if (client !== undefined) break;
  }
  if (client === undefined) {
    await burn(secrets[0]);
    throw clientAuthFailed(config, `${method}: unknown client_id ${shown(clientIds[0] ?? "")}`);
  }
  // A limit of 0 is no limit: no call, no await on the way to the cached secret.
  if (client.rateLimitPerMinute > 0) await enforceClientRateLimit(ctx, client);
  const hash = client.secretHash;
  if (!client.authMethods.has(method) || hash === undefined) {
    await burn(secrets[0]);
    throw clientAuthFailed(config, `client ${shown(client.clientId)} may not use ${method}; its authMethods are ${[...client.authMethods].join(", ")}`);
  }
  const { secrets: cache } = clientAuthState(config, ctx.now);
  const id = client.clientId;
  if (secrets.some((secret) => cache.lookup(id, secret, hash))) return client;
  for (const secret of secrets) {
    if (await cache.verify(id, secret, hash)) return client;
  }
  throw clientAuthFailed(config, `${method}: wrong client secret for client ${shown(id)}`);
}
