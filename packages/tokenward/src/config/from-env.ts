import { ConfigError } from "../errors/config-error.js";
import { fetchUrlProblem } from "../jwks/url-policy.js";
import { type Algorithm, algorithmSpec } from "../jws/algorithms.js";
import type { IntrospectionOptions, IssuerPolicy, VerifierOptions } from "../verifier/types.js";

export type Environment = Readonly<Record<string, string | undefined>>;

function listOf(env: Environment, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const items = raw.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) throw new ConfigError(name, `${JSON.stringify(raw)} has an empty entry; separate values with single commas`);
  return items;
}

function pick(env: Environment, ours: string, theirs: string): { name: string; values: string[] } | undefined {
  const mine = listOf(env, ours);
  const legacy = listOf(env, theirs);
  if (mine !== undefined && legacy !== undefined && mine.join(",") !== legacy.join(",")) {
    throw new ConfigError(ours, `${ours} and ${theirs} are both set, to different values; keep one`);
  }
  if (mine !== undefined) return { name: ours, values: mine };
  if (legacy !== undefined) return { name: theirs, values: legacy };
  return undefined;
}

/**
 * Verifier options from environment variables, for twelve-factor services
 * and for people moving from the Axioms libraries:
 *
 * - `TOKENWARD_ISSUER` (or `AXIOMS_ISS_URL`, or `AXIOMS_DOMAIN` meaning
 *   `https://<domain>`): one issuer, or several separated by commas.
 * - `TOKENWARD_AUDIENCE` (or `AXIOMS_AUDIENCE`): the accepted audience(s).
 * - `TOKENWARD_JWKS_URI` (or `AXIOMS_JWKS_URL`): optional; one URL per issuer,
 *   in the same order. Without it, keys are discovered from each issuer.
 * - `TOKENWARD_ALGORITHMS`, `TOKENWARD_CLOCK_TOLERANCE` (seconds): optional.
 * - `TOKENWARD_INTROSPECTION_CLIENT_ID` and `TOKENWARD_INTROSPECTION_CLIENT_SECRET`
 *   (both or neither), `TOKENWARD_INTROSPECTION_ENDPOINT` and
 *   `TOKENWARD_INTROSPECT_JWTS` (`true`/`false`), optional: opaque tokens
 *   introspected at the (single) issuer (RFC 7662).
 *
 * Bad configuration throws a `ConfigError` naming the variable and the fix.
 */
export function fromEnv(env: Environment = (globalThis as { process?: { env: Environment } }).process?.env ?? {}): VerifierOptions {
  let issuers = pick(env, "TOKENWARD_ISSUER", "AXIOMS_ISS_URL");
  if (issuers === undefined) {
    const domain = env.AXIOMS_DOMAIN?.trim();
    if (domain !== undefined && domain !== "") {
      if (/[/:]/.test(domain)) throw new ConfigError("AXIOMS_DOMAIN", `${JSON.stringify(domain)} must be a bare domain such as auth.example.com`);
      issuers = { name: "AXIOMS_DOMAIN", values: [`https://${domain}`] };
    }
  }
  if (issuers === undefined) {
    throw new ConfigError(
      "TOKENWARD_ISSUER",
      "is not set: set it to the exact iss of your tokens, e.g. TOKENWARD_ISSUER=https://your-tenant.auth0.com/ (AXIOMS_ISS_URL and AXIOMS_DOMAIN are read too)",
    );
  }
  const audience = pick(env, "TOKENWARD_AUDIENCE", "AXIOMS_AUDIENCE");
  if (audience === undefined) {
    throw new ConfigError(
      "TOKENWARD_AUDIENCE",
      "is not set: set it to this API's identifier as your tokens carry it in aud, e.g. TOKENWARD_AUDIENCE=https://api.example.com",
    );
  }
  const jwks = pick(env, "TOKENWARD_JWKS_URI", "AXIOMS_JWKS_URL");
  if (jwks !== undefined && jwks.values.length !== issuers.values.length) {
    throw new ConfigError(
      jwks.name,
      `lists ${jwks.values.length} URL(s) for ${issuers.values.length} issuer(s) in ${issuers.name}; give one per issuer, in the same order, or none to use discovery`,
    );
  }
  for (const [index, issuer] of issuers.values.entries()) {
    if (jwks === undefined) {
      const problem = fetchUrlProblem(issuer, false);
      if (problem !== undefined)
        throw new ConfigError(issuers.name, `keys are discovered from the issuer when ${"TOKENWARD_JWKS_URI"} is unset, but ${problem}`);
    } else {
      const problem = fetchUrlProblem(jwks.values[index] as string, false);
      if (problem !== undefined) throw new ConfigError(jwks.name, problem);
    }
  }

  const algorithms = listOf(env, "TOKENWARD_ALGORITHMS");
  if (algorithms !== undefined) {
    for (const name of algorithms) {
      const spec = algorithmSpec(name);
      if (spec === undefined || spec.family === "HMAC")
        throw new ConfigError("TOKENWARD_ALGORITHMS", `${JSON.stringify(name)} is not an asymmetric JWS algorithm tokenward verifies`);
    }
  }
  let clockTolerance: number | undefined;
  const tolerance = env.TOKENWARD_CLOCK_TOLERANCE?.trim();
  if (tolerance !== undefined && tolerance !== "") {
    clockTolerance = Number(tolerance);
    if (!Number.isFinite(clockTolerance) || clockTolerance < 0)
      throw new ConfigError("TOKENWARD_CLOCK_TOLERANCE", `${JSON.stringify(tolerance)} is not a number of seconds`);
  }

  const introspection = introspectionFromEnv(env, issuers);
  const policies: IssuerPolicy[] = issuers.values.map((issuer, index) => ({
    issuer,
    audience: audience.values,
    ...(jwks === undefined ? {} : { jwksUri: jwks.values[index] }),
    ...(introspection === undefined ? {} : { introspection }),
  }));
  return {
    issuers: policies,
    ...(algorithms === undefined ? {} : { algorithms: algorithms as Algorithm[] }),
    ...(clockTolerance === undefined ? {} : { clockTolerance }),
  };
}

const INTROSPECTION = "TOKENWARD_INTROSPECTION_";

/**
 * RFC 7662 settings from the environment, for the one issuer configured: an
 * opaque token names no issuer, so with several the choice is left to code
 * (`introspection` on one policy). The secret is never repeated in an error.
 */
function introspectionFromEnv(env: Environment, issuers: { name: string; values: string[] }): IntrospectionOptions | undefined {
  const clientId = env[`${INTROSPECTION}CLIENT_ID`]?.trim() || undefined;
  const clientSecret = env[`${INTROSPECTION}CLIENT_SECRET`] || undefined;
  const endpoint = env[`${INTROSPECTION}ENDPOINT`]?.trim() || undefined;
  const jwts = env.TOKENWARD_INTROSPECT_JWTS?.trim().toLowerCase() || undefined;
  if (clientId === undefined && clientSecret === undefined) {
    for (const [name, value] of [
      [`${INTROSPECTION}ENDPOINT`, endpoint],
      ["TOKENWARD_INTROSPECT_JWTS", jwts],
    ] as const) {
      if (value !== undefined)
        throw new ConfigError(
          name,
          `is set, but ${INTROSPECTION}CLIENT_ID and ${INTROSPECTION}CLIENT_SECRET are not: introspection needs this API's client at the authorization server`,
        );
    }
    return undefined;
  }
  if (clientId === undefined)
    throw new ConfigError(
      `${INTROSPECTION}CLIENT_ID`,
      `is not set, but ${INTROSPECTION}CLIENT_SECRET is: set both (this API's client at the authorization server)`,
    );
  if (clientSecret === undefined)
    throw new ConfigError(`${INTROSPECTION}CLIENT_SECRET`, `is not set, but ${INTROSPECTION}CLIENT_ID is: set both (the secret is never shown in errors)`);
  if (issuers.values.length !== 1) {
    throw new ConfigError(
      `${INTROSPECTION}CLIENT_ID`,
      `introspection from the environment needs exactly one issuer, and ${issuers.name} lists ${issuers.values.length}: configure introspection on one issuer policy in code instead`,
    );
  }
  if (endpoint !== undefined) {
    const problem = fetchUrlProblem(endpoint, false);
    if (problem !== undefined) throw new ConfigError(`${INTROSPECTION}ENDPOINT`, problem);
  }
  if (jwts !== undefined && jwts !== "true" && jwts !== "false") {
    throw new ConfigError("TOKENWARD_INTROSPECT_JWTS", `${JSON.stringify(jwts)} must be true or false`);
  }
  return { clientId, clientSecret, ...(endpoint === undefined ? {} : { endpoint }), ...(jwts === "true" ? { introspectJwts: true } : {}) };
}
