import { parseArgs } from "node:util";
import { requireScopes } from "../../authz/guards.js";
import { TokenError } from "../../errors/token-error.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import type { IssuerPolicy, JwkSet } from "../../verifier/types.js";
import { secondsOption } from "../diagnose/options.js";
import { readJwksOption } from "../diagnose/read-jwks-option.js";
import { EXIT, type Io, isoTime, readToken, UsageError } from "../io.js";

export const VERIFY_USAGE = `Usage: tokenward verify <token | -> --issuer URL [--issuer URL ...] --audience AUD
                        [--jwks URL_OR_FILE] [--clock-tolerance SECONDS] [--now UNIX_SECONDS]
                        [--require-scope SCOPE ...] [--json]

Verifies a JWT access token the way an API protected by tokenward would.

  <token | ->            the token, or - to read it from standard input
  --issuer URL           a trusted issuer, exactly as tokens spell iss (repeatable)
  --audience AUD         the audience this API accepts (repeatable)
  --jwks URL_OR_FILE     the issuer's JWKS: a URL, or a JSON file; default: discovery
  --clock-tolerance N    seconds of clock skew tolerated (default 5)
  --now UNIX_SECONDS     evaluate exp, nbf and iat at this instant instead of now
  --require-scope SCOPE  a scope the token must grant (repeatable)
  --type TYP             an accepted typ header value (repeatable; default JWT, at+jwt)
  --dangerously-allow-insecure-http
                         fetch keys over http from a non-loopback host
  --json                 one JSON object on standard output

Exit status: 0 valid, 1 invalid, 2 usage or configuration error.
`;

async function keySource(io: Io, jwks: string | undefined): Promise<Pick<IssuerPolicy, "jwksUri" | "jwks">> {
  const option = await readJwksOption(io, jwks);
  if (option === undefined) return {};
  return "url" in option ? { jwksUri: option.url } : { jwks: option.document as JwkSet };
}

export async function verifyCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      issuer: { type: "string", multiple: true },
      audience: { type: "string", multiple: true },
      jwks: { type: "string" },
      "clock-tolerance": { type: "string" },
      now: { type: "string" },
      "require-scope": { type: "string", multiple: true },
      type: { type: "string", multiple: true },
      "dangerously-allow-insecure-http": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout(VERIFY_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`one token at a time; got ${positionals.length} arguments`);
  const issuers = values.issuer ?? [];
  if (issuers.length === 0) throw new UsageError("--issuer is required: the exact iss of the tokens to trust");
  const audiences = values.audience ?? [];
  if (audiences.length === 0) throw new UsageError("--audience is required: the audience this API accepts");
  const clockTolerance = secondsOption("clock-tolerance", values["clock-tolerance"]);
  const now = secondsOption("now", values.now);
  const keys = await keySource(io, values.jwks);
  const token = await readToken(io, positionals[0]);

  const verifier = createVerifier({
    issuers: issuers.map((issuer) => ({
      issuer,
      audience: audiences,
      ...keys,
      ...(values.type === undefined ? {} : { types: values.type }),
      ...(values["dangerously-allow-insecure-http"] === true ? { dangerouslyAllowInsecureHttp: true } : {}),
    })),
    ...(clockTolerance === undefined ? {} : { clockTolerance }),
    ...(now === undefined ? {} : { now: () => now }),
  });

  try {
    const verified = await verifier.verify(token);
    const scopes = values["require-scope"];
    if (scopes !== undefined && scopes.length > 0) requireScopes(scopes)(verified);
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ valid: true, issuer: verified.issuer.issuer, claims: verified.claims })}\n`);
    } else {
      const lines = [
        "valid token",
        `  issuer   ${verified.issuer.issuer}${verified.tenant === undefined ? "" : ` (tenant ${verified.tenant})`}`,
        `  subject  ${verified.subject ?? "(none)"}`,
        `  audience ${JSON.stringify(verified.claims.aud ?? null)}`,
        `  expires  ${isoTime(verified.expiresAt)}`,
        `  alg/kid  ${verified.header.alg} ${verified.header.kid ?? "(no kid)"}`,
      ];
      if (verified.scopes.length > 0) lines.push(`  scopes   ${verified.scopes.join(" ")}`);
      if (verified.roles.length > 0) lines.push(`  roles    ${verified.roles.join(", ")}`);
      if (verified.permissions.length > 0) lines.push(`  perms    ${verified.permissions.join(", ")}`);
      io.stdout(`${lines.join("\n")}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ valid: false, error: { code: error.code, message: error.message, hint: error.hint } })}\n`);
    } else {
      io.stdout(`invalid token: ${error.code} (HTTP ${error.status})\n  ${error.message}\n  hint: ${error.hint}\n`);
    }
    return EXIT.invalid;
  }
}
