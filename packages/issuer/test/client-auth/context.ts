// A small IssuerContext for client-authentication tests: a resolved
// configuration, the real memory store and a clock the test moves. Client
// authentication never uses the keys, so none are made.
import { randomUUID } from "node:crypto";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { resolveConfig } from "../../src/config/resolve.js";
import type { IssuerEvent } from "../../src/config/types.js";
import type { IssuerContext } from "../../src/context.js";
import type { KeyManager } from "../../src/keys/types.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { IssuerStore } from "../../src/store/types.js";

export const ISSUER = "https://auth.example.com";
export const TOKEN_URL = `${ISSUER}/oauth/token`;
export const INTROSPECTION_URL = `${ISSUER}/oauth/introspect`;
export const API = "https://api.example.com";

export interface TestContext extends IssuerContext {
  /** Moves the clock. */
  advance(ms: number): void;
}

export function createContext(config: Record<string, unknown>, options: { store?: IssuerStore; startMs?: number } = {}): TestContext {
  let now = options.startMs ?? Date.now();
  const clock = () => now;
  const events: IssuerEvent[] = [];
  return {
    config: resolveConfig(config),
    store: options.store ?? createMemoryStore({ now: clock }),
    keys: {} as KeyManager,
    now: clock,
    claimsHook: undefined,
    emit: (event) => events.push(event),
    advance(ms) {
      now += ms;
    },
  };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

/** RFC 6749 Appendix B: form-urlencode id and secret before Basic. */
export function basicEncoded(id: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return basic(encode(id), encode(secret));
}

export function tokenRequest(headers: Record<string, string> = {}, url = TOKEN_URL): Request {
  return new Request(url, { method: "POST", headers });
}

export interface ClientKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function clientKey(alg: "ES256" | "RS256" | "PS256" | "EdDSA" | "ES384" = "ES256"): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A client assertion (RFC 7523 §3) valid now for a minute; claims and header overridable (undefined removes). */
export async function assertion(
  key: ClientKey,
  clientId: string,
  nowMs: number,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  const payload = Object.fromEntries(
    Object.entries({ iss: clientId, sub: clientId, aud: ISSUER, iat: now, exp: now + 60, jti: randomUUID(), ...claims }).filter(([, v]) => v !== undefined),
  );
  const protectedHeader = Object.fromEntries(Object.entries({ alg: key.alg, kid: key.kid, typ: "JWT", ...header }).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}
