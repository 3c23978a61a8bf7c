import { invalidOption } from "./errors.js";
import { introspect } from "./introspect.js";
import { type InvalidTokenKind, mintInvalidToken } from "./invalid-tokens.js";
import { type JwksDocument, KeyRing, type RotateOptions } from "./key-ring.js";
import { checkMintOptions, type MintClaims, type MintContext, type MintOptions, mintToken, prepareToken } from "./mint.js";
import { type MockIssuerOptions, type ResolvedClient, resolveOptions } from "./options.js";
import { json, methodNotAllowed } from "./server/answer.js";
import { checkEndpoint, checkFault, type Fault, type MockEndpoint } from "./server/faults.js";
import { HOST, MockHttpServer, type Route } from "./server/http-server.js";
import { introspectionEndpoint } from "./server/introspection-endpoint.js";
import { buildMetadata, endpointsOf, type MockEndpoints, metadataPaths } from "./server/metadata.js";
import { revocationEndpoint } from "./server/revocation-endpoint.js";
import { tokenEndpoint } from "./server/token-endpoint.js";
import { TokenStore } from "./token-store.js";

/** What tokenward's `createVerifier({ issuers: [...] })` needs to trust a mock issuer. */
export interface MockIssuerPolicy {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** Set with the `cognito` preset: its access tokens carry the app client in `client_id`, not `aud`. */
  readonly audienceClaim?: string;
  /** Set with the `cognito` preset: only access tokens (`token_use`). */
  readonly kindClaims?: Readonly<Record<string, string>>;
}

/** Options of `mintOpaque`: the claims introspection will answer with are built as `mint` builds them. */
export type OpaqueOptions = Pick<MintOptions, "expiresIn" | "preset" | "scopes" | "roles" | "permissions">;

export interface MockIssuer {
  /** The issuer identifier, exactly as tokens carry it in `iss` (and as the metadata's `issuer`). */
  readonly issuer: string;
  /** The server's origin, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly jwksUri: string;
  /** The default audience of minted tokens. */
  readonly audience: string;
  /** Every URL the mock serves. */
  readonly endpoints: MockEndpoints;
  /** The first client's credentials (the default `test-client` / `test-secret` unless you gave clients). */
  readonly client: { readonly clientId: string; readonly clientSecret: string };

  /** `{ issuer, audience, jwksUri }` for tokenward's `createVerifier`, with `extra` merged over it. */
  policy<T extends object = Record<never, never>>(extra?: T): MockIssuerPolicy & T;
  /** A signed access token: defaults, then the preset's shape, then `claims` (a claim set to `undefined` is left out). */
  mint(claims?: MintClaims, options?: MintOptions): Promise<string>;
  /** A token with exactly one defect; `INVALID_TOKENS[kind].code` is how tokenward refuses it. */
  mintInvalid(kind: InvalidTokenKind, claims?: MintClaims, options?: MintOptions): Promise<string>;
  /** A random opaque token that only this issuer's introspection endpoint can answer for. */
  mintOpaque(claims?: MintClaims, options?: OpaqueOptions): string;
  /** Revokes a token (JWT by its `jti`, or opaque): introspection answers `{"active": false}` from now on. */
  revoke(token: string): void;

  /** The JWK Set the JWKS endpoint serves now (public keys only). */
  jwks(): JwksDocument;
  /** New signing key(s); the previous key stays published unless `keepPrevious: false`. Resolves with the new kids. */
  rotate(options?: RotateOptions): Promise<string[]>;
  /** Unpublishes a key that no longer signs. */
  removeKey(kid: string): void;

  /** Injects a failure at an endpoint until cleared (or for `times` requests). */
  fault(endpoint: MockEndpoint, fault: Fault): void;
  /** Clears the fault of one endpoint, or all. */
  clearFaults(endpoint?: MockEndpoint): void;
  /** Requests that reached an endpoint since the start (or the last reset), faulted ones included. */
  requestCount(endpoint: MockEndpoint): number;
  requestCounts(): Record<MockEndpoint, number>;
  resetRequestCounts(): void;
  /** Stops listening: every endpoint refuses connections (ECONNREFUSED) until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** For `afterEach`: clears faults and counts, and comes back up if down. Keys, clients and revocations stay. */
  reset(): Promise<void>;
  /** Stops the server and drops its connections. Idempotent. */
  close(): Promise<void>;
  /** `await using issuer = await createMockIssuer()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

const OPAQUE_OPTIONS = new Set(["expiresIn", "preset", "scopes", "roles", "permissions"]);

/**
 * Starts a mock OAuth 2.0 / OpenID Connect issuer on 127.0.0.1: discovery
 * and RFC 8414 metadata, a JWKS, a client_credentials token endpoint,
 * introspection and revocation, with real keys (jose) and real HTTP
 * (node:http). For tests only: it signs whatever it is asked to.
 */
export async function createMockIssuer(options?: MockIssuerOptions): Promise<MockIssuer> {
  const config = resolveOptions(options);
  const keys = await KeyRing.create(options?.algorithms, options?.keys);
  const store = new TokenStore();
  const routes = new Map<string, Route>();
  const server = new MockHttpServer(routes);
  const port = await server.listen(config.port);

  const url = `http://${HOST}:${port}`;
  const issuer = `${url}${config.path}`;
  const endpoints = endpointsOf(url, config.path);
  const firstClient = config.clients[0] as ResolvedClient;
  const clientId = firstClient.clientId;
  const now = () => {
    const value = config.now();
    if (typeof value !== "number" || !Number.isFinite(value)) throw invalidOption("now", "must return Unix seconds as a finite number");
    return value;
  };
  const mintContext: MintContext = {
    issuer,
    path: config.path,
    audience: config.audience,
    clientId,
    keys,
    tokenLifetime: config.tokenLifetime,
    preset: config.preset,
    now,
  };
  const introspectionContext = { issuer, keys, store, now };
  const scopes = [...new Set(config.clients.flatMap((client) => client.scopes ?? []))].sort();

  const get = (endpoint: MockEndpoint, body: () => unknown, headers: () => Record<string, string> = () => ({})): Route => ({
    endpoint,
    handle: (request) =>
      request.method === "GET" || request.method === "HEAD"
        ? json(200, body(), { "access-control-allow-origin": "*", ...headers() })
        : methodNotAllowed("GET, HEAD"),
  });
  const metadataRoute = get("metadata", () => buildMetadata(issuer, endpoints, scopes));
  for (const path of metadataPaths(config.path)) routes.set(path, metadataRoute);
  const pathOf = (endpoint: string) => new URL(endpoint).pathname;
  routes.set(
    pathOf(endpoints.jwks),
    get(
      "jwks",
      () => keys.jwks(),
      (): Record<string, string> => (config.jwksMaxAge === null ? {} : { "cache-control": `public, max-age=${config.jwksMaxAge}` }),
    ),
  );
  routes.set(pathOf(endpoints.token), {
    endpoint: "token",
    handle: (request) =>
      tokenEndpoint(
        {
          clients: config.clients,
          defaultAudience: config.preset !== "cognito",
          tokenLifetime: config.tokenLifetime,
          issue: (client, grant) =>
            mintToken(mintContext, { ...client.claims, ...(grant.audience === undefined ? {} : { aud: grant.audience }) }, { scopes: grant.scopes }, client),
        },
        request,
      ),
  });
  routes.set(pathOf(endpoints.introspection), {
    endpoint: "introspection",
    handle: (request) => introspectionEndpoint({ clients: config.clients, introspect: (token) => introspect(introspectionContext, token) }, request),
  });
  routes.set(pathOf(endpoints.revocation), {
    endpoint: "revocation",
    handle: (request) => revocationEndpoint({ clients: config.clients, revoke: (token) => store.revoke(token) }, request),
  });

  const close = () => server.close();
  const mock: Omit<MockIssuer, typeof Symbol.asyncDispose> & Partial<Pick<MockIssuer, typeof Symbol.asyncDispose>> = {
    issuer,
    url,
    port,
    jwksUri: endpoints.jwks,
    audience: config.audience,
    endpoints,
    client: Object.freeze({ clientId, clientSecret: firstClient.clientSecret }),
    policy: <T extends object>(extra?: T) => {
      const base: MockIssuerPolicy =
        config.preset === "cognito"
          ? { issuer, audience: clientId, audienceClaim: "client_id", jwksUri: endpoints.jwks, kindClaims: { token_use: "access" } }
          : { issuer, audience: config.audience, jwksUri: endpoints.jwks };
      return { ...base, ...extra } as MockIssuerPolicy & T;
    },
    mint: (claims, mintOptions) => mintToken(mintContext, claims, mintOptions),
    mintInvalid: (kind, claims, mintOptions) => mintInvalidToken(mintContext, kind, claims, mintOptions),
    mintOpaque: (claims, opaqueOptions) => {
      if (opaqueOptions !== undefined && typeof opaqueOptions === "object" && opaqueOptions !== null) {
        const extra = Object.keys(opaqueOptions).find((name) => !OPAQUE_OPTIONS.has(name));
        if (extra !== undefined) throw invalidOption(`mintOpaque.${extra}`, `is not an option of an opaque token; they are ${[...OPAQUE_OPTIONS].join(", ")}`);
      }
      return store.issueOpaque(prepareToken(mintContext, claims, checkMintOptions(opaqueOptions)).payload);
    },
    revoke: (token) => {
      if (typeof token !== "string" || token === "") throw invalidOption("revoke", "takes the token to revoke");
      store.revoke(token);
    },
    jwks: () => keys.jwks(),
    rotate: (rotateOptions) => keys.rotate(rotateOptions),
    removeKey: (kid) => keys.remove(kid),
    fault: (endpoint, fault) => {
      checkFault(endpoint, fault);
      server.faults.set(endpoint, fault);
    },
    clearFaults: (endpoint) => {
      if (endpoint !== undefined) checkEndpoint("clearFaults", endpoint);
      server.faults.clear(endpoint);
    },
    requestCount: (endpoint) => {
      checkEndpoint("requestCount", endpoint);
      return server.count(endpoint);
    },
    requestCounts: () => server.allCounts(),
    resetRequestCounts: () => server.resetCounts(),
    down: () => server.down(),
    up: () => server.up(),
    reset: async () => {
      server.faults.clear();
      server.resetCounts();
      await server.up();
    },
    close,
  };
  // Node 20.19 and newer have it; `await using` (TypeScript 5.2) calls it.
  if (typeof Symbol.asyncDispose === "symbol") mock[Symbol.asyncDispose] = close;
  return Object.freeze(mock) as MockIssuer;
}
