// Cross App Access, authorization server side: a stand-in identity provider
// (a jose key pair whose JWKS, and optionally OpenID Connect discovery
// metadata, are served by node:http on 127.0.0.1) that mints ID-JAGs with
// jose's SignJWT, and an issuer configured to trust it.
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import type { TrustedIdentityProviderConfig } from "../../src/config/types.js";
import type { CreateIssuerOptions } from "../../src/create-issuer.js";
import { API, JWT_CLIENT_ID, postForm, type RunningIssuer, SECRET_CLIENT, type StartOptions, startIssuer } from "./issuer.js";

export const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const ID_JAG_TYP = "oauth-id-jag+jwt";
export const ASSERTION_NOT_VALID = "the assertion is not valid";

export type IdpAlgorithm = "ES256" | "RS256" | "EdDSA" | "PS256";

export interface TestIdp {
  /** http://127.0.0.1:<port>: the iss of its ID-JAGs. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly alg: IdpAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** Requests the server answered, by path. */
  readonly hits: Map<string, number>;
  /** Signs `claims` as they are (no defaults), with `header` over the default { alg, kid, typ }. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export interface IdpOptions {
  alg?: IdpAlgorithm;
  /** Serve /.well-known/openid-configuration naming the JWKS (for discovery). */
  discovery?: boolean;
}

/** Starts a stand-in identity provider on a free loopback port. */
export async function startIdp(options: IdpOptions = {}): Promise<TestIdp> {
  const alg = options.alg ?? "ES256";
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  const hits = new Map<string, number>();
  let issuer = "";
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (path === "/jwks") return json(200, { keys: [publicJwk] });
    if (options.discovery === true && path === "/.well-known/openid-configuration") return json(200, { issuer, jwks_uri: `${issuer}/jwks` });
    return json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    alg,
    kid,
    privateKey,
    publicJwk,
    hits,
    sign: (claims, header = {}) =>
      new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg, kid, typ: ID_JAG_TYP, ...header } as { alg: string }).sign(privateKey),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** The claims of a valid ID-JAG from `idp` for the AS `audience` and client `clientId` (draft §3.1), with `overrides` (undefined removes). */
export function idJagClaims(
  idp: TestIdp,
  audience: string,
  overrides: Record<string, unknown> = {},
  clientId = SECRET_CLIENT.clientId,
): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: idp.issuer,
    sub: "U019488227",
    aud: audience,
    client_id: clientId,
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    resource: API,
    scope: "read:data write:data",
    email: "ada@example.com",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

export async function mintIdJag(
  idp: TestIdp,
  audience: string,
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  clientId = SECRET_CLIENT.clientId,
): Promise<string> {
  return idp.sign(idJagClaims(idp, audience, overrides, clientId), header);
}

export interface AsOptions extends StartOptions {
  /** Extra fields of the trusted entry for each idp (same order). */
  trust?: Partial<TrustedIdentityProviderConfig>[];
  idJag?: CreateIssuerOptions["idJag"];
}

/**
 * An issuer trusting `idps` (by jwksUri unless `trust` says otherwise), with
 * the jwt-bearer grant for both test clients (svc-secret: secrets; svc-jwt:
 * private_key_jwt).
 */
export async function startAs(idps: readonly TestIdp[], options: AsOptions = {}): Promise<RunningIssuer> {
  return startIssuer({
    ...options,
    configure: (config) => {
      for (const client of config.clients) client.grantTypes = ["client_credentials", JWT_BEARER];
      config.trustedIdentityProviders = idps.map((idp, index) => ({ issuer: idp.issuer, jwksUri: idp.jwksUri, ...options.trust?.[index] }));
      if (options.idJag !== undefined) config.idJag = options.idJag;
      options.configure?.(config);
    },
  });
}

export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

/** POSTs the jwt-bearer grant with client_secret_post as svc-secret, plus `extra` parameters. */
export function redeem(as: RunningIssuer, assertion: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  const credentials: Record<string, string> =
    headers.authorization === undefined ? { client_id: SECRET_CLIENT.clientId, client_secret: SECRET_CLIENT.secret } : {};
  return postForm(as.tokenEndpoint, { grant_type: JWT_BEARER, assertion, ...credentials, ...extra }, headers);
}

export { API, JWT_CLIENT_ID, SECRET_CLIENT };
