// The public half of a stored key, as served at jwks_uri. Built from an
// allow-list of public members, so no private member (d, p, q, dp, dq, qi,
// oth, k) can reach the JWKS whatever the stored JWK holds.

import type { SigningAlgorithm } from "../config/types.js";
import { ALGORITHMS } from "./algorithms.js";

export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** RFC 7517 §4.2: these keys only ever sign. */
  readonly use: "sig";
  readonly [member: string]: string;
}

export function publicJwk(privateJwk: Readonly<Record<string, string>>, kid: string, alg: SigningAlgorithm): PublicJwk {
  const jwk: Record<string, string> = {};
  for (const name of ALGORITHMS[alg].publicMembers) {
    const value = privateJwk[name];
    if (value !== undefined) jwk[name] = value;
  }
  jwk.use = "sig";
  jwk.alg = alg;
  jwk.kid = kid;
  return Object.freeze(jwk) as PublicJwk;
}
