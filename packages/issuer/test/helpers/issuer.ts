// A real issuer on 127.0.0.1 for tests: keys in a fresh temporary directory,
// a secret client, a private_key_jwt client and an auth0-profile-free default.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { type CreateIssuerOptions, createIssuer, type Issuer } from "../../src/index.js";
import { hashSecret } from "../../src/secrets/hash.js";
import { freePort } from "./process.js";

export const SECRET_CLIENT = { clientId: "svc-secret", secret: "s3cret-with:colon%and+plus" };
export const JWT_CLIENT_ID = "svc-jwt";
export const API = "https://api.example.test";
export const OTHER_API = "https://other.example.test";

let cachedHash: Promise<string> | undefined;
/** scrypt is slow on purpose: hash the test secret once per test file. */
export function secretHash(): Promise<string> {
  cachedHash ??= hashSecret(SECRET_CLIENT.secret);
  return cachedHash;
}

export interface ClientKey {
  privateKey: CryptoKey;
  jwk: JWK;
  kid: string;
}

export async function clientKey(alg: "ES256" | "RS256" | "EdDSA" = "ES256"): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { privateKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

export interface RunningIssuer {
  issuer: Issuer;
  /** http://127.0.0.1:<port>: where requests go. */
  origin: string;
  /** The issuer identifier (origin + path). */
  issuerId: string;
  tokenEndpoint: string;
  keyDir: string;
  jwtClientKey: ClientKey;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Path appended to the issuer identifier (RFC 8414 §3.1 path insertion tests). */
  path?: string;
  /** Changes to the configuration made after the defaults are in place. */
  configure?: (config: CreateIssuerOptions) => void;
  keyDir?: string;
  jwtClientKey?: ClientKey;
}

/**
 * Starts an issuer on a free loopback port. The issuer identifier must name
 * the port, so the port is reserved first (listen on 0) and the issuer built
 * for it.
 */
export async function startIssuer(options: StartOptions = {}): Promise<RunningIssuer> {
  const keyDir = options.keyDir ?? (await mkdtemp(join(tmpdir(), "tokenward-issuer-")));
  const jwtClientKey = options.jwtClientKey ?? (await clientKey());
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const issuerId = `${origin}${options.path ?? ""}`;
  const config: CreateIssuerOptions = {
    issuer: issuerId,
    keys: { directory: keyDir, algorithm: "ES256" },
    clients: [
      {
        clientId: SECRET_CLIENT.clientId,
        secretHash: await secretHash(),
        audiences: [API, OTHER_API],
        scopes: ["read:data", "write:data", "admin"],
        defaultScopes: ["read:data"],
        claims: { "https://example.test/tenant_id": "tenant-123" },
      },
      {
        clientId: JWT_CLIENT_ID,
        jwks: { keys: [jwtClientKey.jwk as Record<string, unknown>] },
        audiences: [API],
        scopes: ["read:data"],
      },
    ],
  };
  options.configure?.(config);
  const issuer = await createIssuer(config);
  const server = await issuer.listen({ port, hostname: "127.0.0.1" });
  return {
    issuer,
    origin,
    issuerId,
    tokenEndpoint: issuer.config.endpoints.token,
    keyDir,
    jwtClientKey,
    async close() {
      await server.close();
      await issuer.close();
      if (options.keyDir === undefined) await rm(keyDir, { recursive: true, force: true });
    },
  };
}

export function basic(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1 / Appendix B: form-encode each part, then base64.
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString("base64")}`;
}

export async function clientAssertion(
  key: ClientKey,
  audience: string,
  overrides: Record<string, unknown> = {},
  clientId: string = JWT_CLIENT_ID,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 60, jti: randomUUID(), ...overrides };
  const body = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return new SignJWT(body).setProtectedHeader({ alg: key.jwk.alg as string, kid: key.kid }).sign(key.privateKey);
}

export const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export async function postForm(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(params).toString(),
  });
}

/** Decodes a JWT's payload without verifying (tests look at what was issued). */
export function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8"));
}
