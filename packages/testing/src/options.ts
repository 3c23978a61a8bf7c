import { invalidOption, show } from "./errors.js";
import type { MockAlgorithm, MockKeyInput } from "./keys.js";
import { isTokenPreset, TOKEN_PRESETS, type TokenPreset } from "./presets.js";

/** A client of the token endpoint (client_credentials) and of introspection and revocation. */
export interface MockClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes it may ask for; without a `scope` parameter it gets all of them. Default: any scope, none unless asked. */
  readonly scopes?: readonly string[];
  /** Audiences it may ask for with `audience` or `resource` (RFC 8707); the first is its default. Default: the issuer's audience. */
  readonly audiences?: readonly string[];
  /** Claims added to its tokens. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Accept only this authentication method (RFC 6749 §2.3.1). Default: both. */
  readonly authMethod?: "client_secret_basic" | "client_secret_post";
}

export interface MockIssuerOptions {
  /** Port on 127.0.0.1. Default 0: a free port. */
  readonly port?: number;
  /** The issuer's path, e.g. `/realms/demo` (Keycloak) or `/` (a trailing slash, as Auth0). Default: none. */
  readonly path?: string;
  /** The audience of minted tokens, and of client tokens unless a client says otherwise. Default `https://api.example.test`. */
  readonly audience?: string;
  /** One generated key per algorithm; the first signs by default. Default `["RS256"]`. */
  readonly algorithms?: readonly MockAlgorithm[];
  /** Your own keys instead of generated ones (then leave out `algorithms`). */
  readonly keys?: readonly MockKeyInput[];
  /** Clients of the token, introspection and revocation endpoints. Default: `test-client` / `test-secret`. */
  readonly clients?: readonly MockClient[];
  /** Seconds from `iat` to `exp` of minted tokens. Default 3600. */
  readonly tokenLifetime?: number;
  /** `Cache-Control: public, max-age=<seconds>` on the JWKS; `null` sends none. Default 300. */
  readonly jwksMaxAge?: number | null;
  /** The default token shape. Default `rfc9068`. */
  readonly preset?: TokenPreset;
  /** The clock, in Unix seconds (pass the same to tokenward's `now`). Default: the system clock. */
  readonly now?: () => number;
}

export interface ResolvedClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[] | undefined;
  readonly audiences: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
  readonly authMethod: "client_secret_basic" | "client_secret_post" | undefined;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly path: string;
  readonly audience: string;
  readonly clients: readonly ResolvedClient[];
  readonly tokenLifetime: number;
  readonly jwksMaxAge: number | null;
  readonly preset: TokenPreset;
  readonly now: () => number;
}

export const DEFAULT_AUDIENCE = "https://api.example.test";
export const DEFAULT_CLIENT = Object.freeze({ clientId: "test-client", clientSecret: "test-secret" });

const OPTION_NAMES = ["port", "path", "audience", "algorithms", "keys", "clients", "tokenLifetime", "jwksMaxAge", "preset", "now"];
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function nonEmptyString(field: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw invalidOption(field, "must be a non-empty string");
  return value;
}

function list(field: string, value: unknown, check?: (item: string) => boolean, what = "non-empty strings"): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidOption(field, `must be an array of ${what}`);
  value.forEach((item, index) => {
    if (typeof item !== "string" || item === "" || (check !== undefined && !check(item)))
      throw invalidOption(`${field}[${index}]`, `${show(item)} is not one of ${what}`);
  });
  return [...value];
}

function resolvePath(value: unknown): string {
  if (value === undefined || value === "") return "";
  if (typeof value !== "string" || !value.startsWith("/"))
    throw invalidOption("path", `${show(value)}: give a path that starts with "/", such as "/realms/demo"`);
  let parsed: URL;
  try {
    parsed = new URL(value, "http://127.0.0.1");
  } catch {
    throw invalidOption("path", `${show(value)} is not a URL path`);
  }
  // The issuer is origin + path byte for byte, so the path must be one a URL keeps as written.
  if (parsed.pathname !== value || parsed.search !== "" || parsed.hash !== "" || parsed.host !== "127.0.0.1") {
    throw invalidOption("path", `${show(value)} is not a path a URL keeps as written (no query, fragment, "//", ".." or unescaped spaces)`);
  }
  return value;
}

function resolveClient(value: unknown, index: number, audience: string): ResolvedClient {
  const field = `clients[${index}]`;
  if (typeof value !== "object" || value === null) throw invalidOption(field, "must be { clientId, clientSecret, scopes?, audiences?, claims?, authMethod? }");
  const client = value as MockClient;
  const clientId = nonEmptyString(`${field}.clientId`, client.clientId);
  const clientSecret = nonEmptyString(`${field}.clientSecret`, client.clientSecret);
  const scopes = list(`${field}.scopes`, client.scopes, (item) => SCOPE_TOKEN.test(item), "scope tokens (RFC 6749 §3.3: no spaces, quotes or backslashes)");
  const audiences = list(`${field}.audiences`, client.audiences);
  if (audiences?.length === 0) throw invalidOption(`${field}.audiences`, "must not be empty; leave it out for the issuer's audience");
  if (client.claims !== undefined && (typeof client.claims !== "object" || client.claims === null || Array.isArray(client.claims))) {
    throw invalidOption(`${field}.claims`, "must be an object of claims");
  }
  if (client.authMethod !== undefined && client.authMethod !== "client_secret_basic" && client.authMethod !== "client_secret_post") {
    throw invalidOption(`${field}.authMethod`, 'must be "client_secret_basic" or "client_secret_post"');
  }
  return { clientId, clientSecret, scopes, audiences: audiences ?? [audience], claims: { ...client.claims }, authMethod: client.authMethod };
}

/** Every option checked at once, with the option named in the error. */
export function resolveOptions(options: MockIssuerOptions | undefined): ResolvedOptions {
  const given = options ?? {};
  if (typeof given !== "object" || given === null || Array.isArray(given)) throw invalidOption("createMockIssuer", "options must be an object");
  for (const name of Object.keys(given)) {
    if (!OPTION_NAMES.includes(name)) throw invalidOption(name, `is not an option; the options are ${OPTION_NAMES.join(", ")}`);
  }
  const port = given.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidOption("port", `${show(port)} is not a port number (0 picks a free one)`);
  const audience = given.audience === undefined ? DEFAULT_AUDIENCE : nonEmptyString("audience", given.audience);
  if (given.clients !== undefined && (!Array.isArray(given.clients) || given.clients.length === 0)) {
    throw invalidOption("clients", "must be a non-empty array of { clientId, clientSecret, ... }; leave it out for test-client / test-secret");
  }
  const clients = (given.clients ?? [DEFAULT_CLIENT]).map((client, index) => resolveClient(client, index, audience));
  const ids = clients.map((client) => client.clientId);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw invalidOption("clients", `two clients have clientId ${show(repeated)}`);
  const tokenLifetime = given.tokenLifetime ?? 3600;
  if (typeof tokenLifetime !== "number" || !Number.isFinite(tokenLifetime) || tokenLifetime <= 0) {
    throw invalidOption("tokenLifetime", "must be a positive number of seconds");
  }
  const jwksMaxAge = given.jwksMaxAge === undefined ? 300 : given.jwksMaxAge;
  if (jwksMaxAge !== null && (!Number.isInteger(jwksMaxAge) || jwksMaxAge < 0)) throw invalidOption("jwksMaxAge", "must be whole seconds (0 or more), or null");
  const preset = given.preset ?? "rfc9068";
  if (!isTokenPreset(preset)) throw invalidOption("preset", `${show(preset)} is not one of ${TOKEN_PRESETS.join(", ")}`);
  const now = given.now ?? (() => Date.now() / 1000);
  if (typeof now !== "function") throw invalidOption("now", "must be a function returning Unix seconds");
  return { port, path: resolvePath(given.path), audience, clients, tokenLifetime, jwksMaxAge, preset, now };
}
