// One tokenward verifier per trusted identity provider, built once per
// issuer (keyed by its resolved configuration, as client-auth/state.ts keys
// its own): each keeps the provider's JWKS cache, discovery and key rules.
// Nothing is fetched before the first ID-JAG of that provider.
//
// Draft references: draft-ietf-oauth-identity-assertion-authz-grant, the
// editor's copy after -03 (oauth-wg main, 2026-04-22).

import { createVerifier, type Verifier } from "tokenward";
import type { ResolvedConfig, ResolvedTrustedIdentityProvider } from "../config/types.js";
import { ID_JAG_TYP } from "./constants.js";

interface TrustState {
  readonly verifiers: ReadonlyMap<string, Verifier>;
  /** The context's clock (ms), read by the verifiers; set before each verification. */
  clock: () => number;
}

const states = new WeakMap<ResolvedConfig, TrustState>();

function buildVerifier(config: ResolvedConfig, provider: ResolvedTrustedIdentityProvider, state: { clock: () => number }): Verifier {
  return createVerifier({
    issuers: [
      {
        // RFC 7523 §3 item 1, draft §3.1: iss is the IdP's issuer identifier, matched exactly.
        issuer: provider.issuer,
        name: `identity provider ${provider.issuer}`,
        // RFC 7523 §3 item 3, draft §4.4.1: aud is this server's issuer identifier. The
        // verifier accepts an aud array containing it; verify-id-jag.ts then requires exactly one.
        audience: config.issuer,
        ...(provider.jwks !== undefined ? { jwks: provider.jwks } : provider.jwksUri !== undefined ? { jwksUri: provider.jwksUri } : {}),
        // RFC 7523 §3 item 9: signed; asymmetric algorithms only (configuration refuses HS* and none).
        algorithms: provider.algorithms,
        // Draft §3.1 and §4.4.1: typ MUST be oauth-id-jag+jwt (RFC 8725 §3.11), compared as a
        // media type (RFC 7515 §4.1.9: case-insensitive, "application/" optional); a JWT without typ is refused.
        types: [ID_JAG_TYP],
        requireType: true,
        clockTolerance: config.idJag.clockToleranceSeconds,
        // Draft §3.1: iss, sub, aud, client_id, jti, exp and iat are REQUIRED.
        requiredClaims: ["sub", "client_id", "jti", "iat", "exp"],
      },
    ],
    // Each ID-JAG is presented once or a few times: caching verified ones would only hold memory.
    cache: false,
    now: () => state.clock() / 1000,
  });
}

/** The verifier of `provider` in this issuer; every provider's is built on the first call. */
export function trustVerifier(config: ResolvedConfig, provider: ResolvedTrustedIdentityProvider, clock: () => number): Verifier {
  let state = states.get(config);
  if (state === undefined) {
    const verifiers = new Map<string, Verifier>();
    const created: TrustState = { verifiers, clock };
    for (const trusted of config.trustedIdentityProviders.values()) verifiers.set(trusted.issuer, buildVerifier(config, trusted, created));
    state = created;
    states.set(config, state);
  }
  state.clock = clock;
  const verifier = state.verifiers.get(provider.issuer);
  // Unreachable with a provider from config.trustedIdentityProviders; a clear error if not.
  if (verifier === undefined) throw new Error(`no verifier for identity provider ${provider.issuer}: it is not in this issuer's trustedIdentityProviders`);
  return verifier;
}
