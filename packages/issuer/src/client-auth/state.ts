// What client authentication keeps between requests, per issuer: the
// verified-secret cache and one assertion verifier per private_key_jwt
// client (its JWKS cache with it). Keyed by the resolved configuration,
// which createIssuer builds once, so the IssuerContext stays as it is and
// two issuers in one process never share state.

import type { Verifier } from "tokenward";
import type { ResolvedConfig } from "../config/types.js";
import { createVerifiedSecretCache, type VerifiedSecretCache } from "../secrets/verified-secret-cache.js";

export interface ClientAuthState {
  readonly secrets: VerifiedSecretCache;
  /** Built on a client's first assertion, then kept; at most one per configured client. */
  readonly verifiers: Map<string, Verifier>;
  /** The context's clock (ms), read by the verifiers; set before each verification. */
  clock: () => number;
}

const states = new WeakMap<ResolvedConfig, ClientAuthState>();

export function clientAuthState(config: ResolvedConfig, clock: () => number): ClientAuthState {
  let state = states.get(config);
  if (state === undefined) {
    state = { secrets: createVerifiedSecretCache(), verifiers: new Map(), clock };
    states.set(config, state);
  }
  state.clock = clock;
  return state;
}
