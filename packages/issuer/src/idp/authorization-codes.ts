// Authorization codes (RFC 6749 §4.1.2) of the identity provider role: what
// each one was issued for, kept in this process's memory, bounded, for at
// most CODE_LIFETIME_MS. Single use is decided by the shared store
// (IssuerStore.useOnce), so a code is never redeemed twice even when two
// requests race; the record remembers what was issued from it so that a
// second redemption can revoke it (RFC 6749 §4.1.2: "SHOULD revoke (when
// possible) all tokens previously issued based on that authorization code").
// A code is redeemable only at the instance that issued it: several
// instances behind a load balancer need sticky sessions for the sign-in.

import { createHash, randomBytes } from "node:crypto";
import type { ResolvedConfig } from "../config/types.js";

/** RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED"; a code is redeemed within seconds. */
export const CODE_LIFETIME_MS = 60_000;
const MAX_CODES = 10_000;

export interface CodeRecord {
  readonly clientId: string;
  readonly redirectUri: string;
  /** RFC 7636 §4.2, S256: BASE64URL(SHA256(code_verifier)). */
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  readonly sub: string;
  /** Seconds since the epoch: when the user signed in (OpenID Connect Core §2, auth_time). */
  readonly authTime: number;
  /** The granted scopes (openid and the identity scopes asked for). */
  readonly scopes: readonly string[];
  readonly expiresAtMs: number;
  /** The jti and expiry (ms) of every token issued from this code. */
  readonly issued: { jti: string; expiresAtMs: number }[];
  /** Set when a second redemption was attempted: tokens issued later are revoked at once. */
  replayed: boolean;
}

export interface AuthorizationCodes {
  /** A new code for `record`, or undefined when MAX_CODES unexpired codes are outstanding. */
  issue(record: Omit<CodeRecord, "issued" | "replayed" | "expiresAtMs">, nowMs: number): { code: string; record: CodeRecord } | undefined;
  /** The record of an unexpired code, redeemed or not. */
  find(code: string, nowMs: number): { key: string; record: CodeRecord } | undefined;
}

// Looked up by a hash, so that the comparison is not on the secret itself.
function keyOf(code: string): string {
  return createHash("sha256").update(code).digest("base64url");
}

function createAuthorizationCodes(): AuthorizationCodes {
  const records = new Map<string, CodeRecord>();
  const sweep = (nowMs: number) => {
    // Insertion order is expiry order (one lifetime for all), so the expired ones are at the front.
    for (const [key, record] of records) {
      if (record.expiresAtMs > nowMs) break;
      records.delete(key);
    }
  };
  return {
    issue(fields, nowMs) {
      sweep(nowMs);
      if (records.size >= MAX_CODES) return undefined;
      const code = randomBytes(32).toString("base64url");
      const record: CodeRecord = { ...fields, expiresAtMs: nowMs + CODE_LIFETIME_MS, issued: [], replayed: false };
      records.set(keyOf(code), record);
      return { code, record };
    },
    find(code, nowMs) {
      if (code.length === 0 || code.length > 256) return undefined;
      const key = keyOf(code);
      const record = records.get(key);
      if (record === undefined || record.expiresAtMs <= nowMs) return undefined;
      return { key, record };
    },
  };
}

const byConfig = new WeakMap<ResolvedConfig, AuthorizationCodes>();

/** This issuer's codes (one set per createIssuer, as client-auth/state.ts keeps its state). */
export function authorizationCodes(config: ResolvedConfig): AuthorizationCodes {
  let codes = byConfig.get(config);
  if (codes === undefined) {
    codes = createAuthorizationCodes();
    byConfig.set(config, codes);
  }
  return codes;
}
