import { CompactSign, type JWSHeaderParameters } from "jose";
import { invalidOption, MockIssuerError, show } from "./errors.js";
import type { KeyRing } from "./key-ring.js";
import { isMockAlgorithm, type MockAlgorithm, type SigningKey } from "./keys.js";
import { isTokenPreset, shapeToken, type TokenPreset } from "./presets.js";

/** Claims to add to or override in a token; a claim set to `undefined` is left out. */
export type MintClaims = Record<string, unknown>;

export interface MintOptions {
  /** Seconds from `iat` to `exp`. Default: the issuer's `tokenLifetime` (3600). */
  readonly expiresIn?: number;
  /** Shape the token like this provider's access tokens. Default: the issuer's `preset` (`rfc9068`). */
  readonly preset?: TokenPreset;
  /** The `typ` header; `null` leaves it out. Default: the preset's (`at+jwt` for rfc9068). */
  readonly typ?: string | null;
  /** Protected header members to add or override (a member set to `undefined` is left out). */
  readonly header?: Readonly<Record<string, unknown>>;
  /** Sign with this algorithm's current key (the issuer must have one). Default: the first algorithm. */
  readonly algorithm?: MockAlgorithm;
  /** Sign with this published key, e.g. the previous one after `rotate()`. */
  readonly keyId?: string;
  /** Scopes, in the claim the preset uses (`scope`, or `scp` for Entra and Okta). */
  readonly scopes?: readonly string[];
  /** Roles, in the claim the preset uses (`roles`, `groups`, `cognito:groups`, `realm_access.roles`). */
  readonly roles?: readonly string[];
  /** Permissions (`permissions`: rfc9068 and Auth0). */
  readonly permissions?: readonly string[];
}

export interface MintContext {
  readonly issuer: string;
  readonly path: string;
  readonly audience: string;
  readonly clientId: string;
  readonly keys: KeyRing;
  readonly tokenLifetime: number;
  readonly preset: TokenPreset;
  /** Unix seconds. */
  now(): number;
}

/** What a mint will sign, before signing: the invalid-token builders start from it. */
export interface Unsigned {
  readonly key: SigningKey;
  readonly header: JWSHeaderParameters & { alg: string };
  readonly payload: Record<string, unknown>;
}

const OPTION_NAMES = new Set(["expiresIn", "preset", "typ", "header", "algorithm", "keyId", "scopes", "roles", "permissions"]);
// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringList(field: string, value: unknown, pattern?: RegExp): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string" && item !== ""))
    throw invalidOption(field, "must be an array of non-empty strings");
  if (pattern !== undefined) {
    const bad = value.find((item) => !pattern.test(item));
    if (bad !== undefined) throw invalidOption(field, `${show(bad)} is not a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)`);
  }
  return value;
}

/** Checks mint's options once, with messages that name the option. */
export function checkMintOptions(options: unknown): MintOptions {
  if (options === undefined) return {};
  if (!plainObject(options)) throw invalidOption("mint", "options must be an object");
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name))
      throw invalidOption(`mint.${name}`, `is not an option; the options are ${[...OPTION_NAMES].join(", ")} (claims go in the first argument)`);
  }
  const { expiresIn, preset, typ, header, algorithm, keyId } = options as MintOptions;
  if (expiresIn !== undefined && (typeof expiresIn !== "number" || !Number.isFinite(expiresIn))) {
    throw invalidOption("mint.expiresIn", "must be a number of seconds (negative for a token that has already expired)");
  }
  if (preset !== undefined && !isTokenPreset(preset))
    throw invalidOption("mint.preset", `${show(preset)} is not rfc9068, auth0, entra, cognito, okta or keycloak`);
  if (typ !== undefined && typ !== null && (typeof typ !== "string" || typ === ""))
    throw invalidOption("mint.typ", "must be a media type such as at+jwt, or null");
  if (header !== undefined && !plainObject(header)) throw invalidOption("mint.header", "must be an object of header members");
  if (algorithm !== undefined && !isMockAlgorithm(algorithm))
    throw invalidOption("mint.algorithm", `${show(algorithm)} is not an algorithm this mock signs with`);
  if (keyId !== undefined && (typeof keyId !== "string" || keyId === "")) throw invalidOption("mint.keyId", "must be a kid");
  stringList("mint.scopes", (options as MintOptions).scopes, SCOPE_TOKEN);
  stringList("mint.roles", (options as MintOptions).roles);
  stringList("mint.permissions", (options as MintOptions).permissions);
  return options as MintOptions;
}

/** The header and payload a mint signs: defaults, then the preset's shape, then your claims and header. */
export function prepareToken(ctx: MintContext, claims: unknown, rawOptions: unknown, client?: { readonly clientId: string }): Unsigned {
  if (claims !== undefined && !plainObject(claims)) throw invalidOption("mint", "claims must be an object (options go in the second argument)");
  const given = claims ?? {};
  const options = checkMintOptions(rawOptions);
  const key = ctx.keys.signingKey(options.algorithm, options.keyId);
  const iat = typeof given.iat === "number" ? given.iat : Math.floor(ctx.now());
  const shape = shapeToken(options.preset ?? ctx.preset, {
    issuer: ctx.issuer,
    path: ctx.path,
    audience: ctx.audience,
    clientId: client?.clientId ?? ctx.clientId,
    iat,
    exp: iat + (options.expiresIn ?? ctx.tokenLifetime),
    machine: client !== undefined,
    scopes: options.scopes,
    roles: options.roles,
    permissions: options.permissions,
  });
  const payload: Record<string, unknown> = { ...shape.claims };
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];

  const header: Record<string, unknown> = { alg: key.alg, ...(shape.typ === undefined ? {} : { typ: shape.typ }), kid: key.kid };
  if (options.typ === null) delete header.typ;
  else if (options.typ !== undefined) header.typ = options.typ;
  for (const [name, value] of Object.entries(options.header ?? {})) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  if (typeof header.alg !== "string") throw invalidOption("mint.header.alg", "must stay a string: it names the signature algorithm");
  return { key, header: header as Unsigned["header"], payload };
}

const encoder = new TextEncoder();

/** Signs with jose (RFC 7515 compact serialization). */
export async function signToken({ key, header, payload }: Unsigned): Promise<string> {
  if (header.alg === "none" || header.alg.startsWith("HS")) {
    throw invalidOption(
      "mint.header.alg",
      `${show(header.alg)} is not signed with the issuer's keys; for the attack tokens use mintInvalid("algNone") or mintInvalid("algorithmConfusion")`,
    );
  }
  let body: string;
  try {
    body = JSON.stringify(payload);
  } catch (error) {
    throw invalidOption("mint", `the claims cannot be serialized as JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  // jose refuses `crit` members it was not told about (RFC 7515 §4.1.11); a test that
  // puts `crit` in the header wants exactly that token, so each listed name is declared.
  const crit = Array.isArray(header.crit) ? Object.fromEntries(header.crit.filter((name) => typeof name === "string").map((name) => [name, true])) : undefined;
  try {
    return await new CompactSign(encoder.encode(body)).setProtectedHeader(header).sign(key.privateKey, crit === undefined ? undefined : { crit });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MockIssuerError(
      "signing_failed",
      `jose could not sign with key ${show(key.kid)} (${key.alg}) and header alg ${show(header.alg)}: ${reason}. To sign with another algorithm, give the issuer a key for it (createMockIssuer({ algorithms })) and pass mint's algorithm option.`,
      "mint.header",
    );
  }
}

/** `client`: a client-credentials token for that client (its `sub`, no user claims). */
export async function mintToken(ctx: MintContext, claims?: unknown, options?: unknown, client?: { readonly clientId: string }): Promise<string> {
  return signToken(prepareToken(ctx, claims, options, client));
}
