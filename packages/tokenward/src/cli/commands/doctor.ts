import { parseArgs } from "node:util";
import { ConfigError } from "../../errors/config-error.js";
import { show } from "../../errors/hints.js";
import { TokenError } from "../../errors/token-error.js";
import { DEFAULT_TYPES } from "../../issuers/typ.js";
import { createVerifier } from "../../verifier/create-verifier.js";
import type { IssuerPolicy, JwkSet } from "../../verifier/types.js";
import { type Check, fail, pass } from "../diagnose/check.js";
import { bare, printable } from "../diagnose/format.js";
import { type IssuerInspection, inspectIssuer } from "../diagnose/inspect-issuer.js";
import { issuerChecks } from "../diagnose/issuer-checks.js";
import { createObservedFetcher, type ObservedFetcher } from "../diagnose/observed-fetcher.js";
import { DEFAULT_CLOCK_TOLERANCE, DIAGNOSE_LIMITS, secondsOption, useColour } from "../diagnose/options.js";
import { readJwksOption } from "../diagnose/read-jwks-option.js";
import { checkJson, renderChecks } from "../diagnose/render-checks.js";
import { tokenChecks } from "../diagnose/token-checks.js";
import { EXIT, type Io, readToken, UsageError } from "../io.js";

export const DOCTOR_USAGE = `Usage: tokenward doctor --issuer URL [--audience AUD ...] [--jwks URL_OR_FILE] [<token | ->]
                        [--clock-tolerance SECONDS] [--type TYP ...] [--json]

A checklist of everything verification depends on, each line ✓ or ✗, and
under each ✗ a hint that names the fix: the URL policy, the issuer's
metadata and its exact issuer, the JWKS (reachable, valid, usable keys,
duplicate kids, weak RSA keys), the server's clock against ours; with a
token, its iss, aud, exp, nbf, iat, kid, alg and typ against all that, then a
real verification with the error code and hint a protected API would log.

  --issuer URL           the issuer, exactly as tokens carry it in iss
  --audience AUD         the audience your API accepts (repeatable)
  --jwks URL_OR_FILE     the JWKS, when not discovered: a URL or a JSON file
  --clock-tolerance N    seconds of clock skew tolerated (default ${DEFAULT_CLOCK_TOLERANCE})
  --type TYP             an accepted typ header value (repeatable; default JWT, at+jwt)
  --dangerously-allow-insecure-http
                         fetch keys over http from a non-loopback host
  --json                 one JSON object on standard output
  <token | ->            a token to check, or - to read it from standard input

Exit status: 0 every check passed, 1 a check failed, 2 usage error.
`;

interface Settings {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly jwks: Awaited<ReturnType<typeof readJwksOption>>;
  readonly clockTolerance: number;
  readonly types: readonly string[] | undefined;
  readonly allowInsecureHttp: boolean;
}

/** The verification itself, by createVerifier with the same settings: what a protected API would decide, and log. */
async function verification(token: string, settings: Settings, fetcher: ObservedFetcher): Promise<Check> {
  const id = "token_verify";
  const title = "verification";
  const keys: Pick<IssuerPolicy, "jwks" | "jwksUri"> =
    settings.jwks === undefined ? {} : "url" in settings.jwks ? { jwksUri: settings.jwks.url } : { jwks: settings.jwks.document as JwkSet };
  let verifier: ReturnType<typeof createVerifier>;
  try {
    verifier = createVerifier({
      issuers: [
        {
          issuer: settings.issuer,
          ...(settings.audiences.length > 0 ? { audience: settings.audiences } : { dangerouslyAcceptAnyAudience: true }),
          ...keys,
          ...(settings.types === undefined ? {} : { types: settings.types }),
          ...(settings.allowInsecureHttp ? { dangerouslyAllowInsecureHttp: true } : {}),
        },
      ],
      clockTolerance: settings.clockTolerance,
      fetchJson: fetcher.fetchJson,
      cache: false,
    });
  } catch (error) {
    if (!ConfigError.is(error)) throw error;
    return fail(id, title, `createVerifier refuses this configuration: ${error.message}`, "the checks above say what to change", {
      data: { code: error.code },
    });
  }
  try {
    const verified = await verifier.verify(token);
    const unchecked = settings.audiences.length === 0 ? " (audience not checked: give --audience)" : "";
    return pass(id, title, `valid: createVerifier accepts it, subject ${show(verified.subject ?? null)}${unchecked}`, { data: { valid: true } });
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    return fail(id, title, `${error.code} (HTTP ${error.status}): ${error.message}`, error.hint, { data: { valid: false, code: error.code } });
  }
}

function keysFor(inspection: IssuerInspection) {
  const report = inspection.jwks.report;
  if (report?.keySet === undefined) return undefined;
  return { set: report.keySet, members: report.keys, location: bare(inspection.jwks.location ?? "the JWKS", 300) };
}

export async function doctorCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      issuer: { type: "string", multiple: true },
      audience: { type: "string", multiple: true },
      jwks: { type: "string" },
      "clock-tolerance": { type: "string" },
      type: { type: "string", multiple: true },
      "dangerously-allow-insecure-http": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout(DOCTOR_USAGE);
    return EXIT.ok;
  }
  const issuers = values.issuer ?? [];
  if (issuers.length === 0) throw new UsageError("--issuer is required: the issuer as your tokens spell iss");
  if (issuers.length > 1) throw new UsageError("one --issuer at a time: run doctor once per issuer");
  if (positionals.length > 1) throw new UsageError(`one token at a time; got ${positionals.length} arguments`);
  const settings: Settings = {
    issuer: issuers[0] as string,
    audiences: values.audience ?? [],
    jwks: await readJwksOption(io, values.jwks),
    clockTolerance: secondsOption("clock-tolerance", values["clock-tolerance"], DEFAULT_CLOCK_TOLERANCE),
    types: values.type,
    allowInsecureHttp: values["dangerously-allow-insecure-http"] === true,
  };
  const token = positionals[0] === undefined ? undefined : await readToken(io, positionals[0]);

  const fetcher = createObservedFetcher();
  const inspection = await inspectIssuer({
    issuer: settings.issuer,
    ...(settings.jwks === undefined ? {} : { jwks: settings.jwks }),
    allowInsecureHttp: settings.allowInsecureHttp,
    fetcher,
    limits: DIAGNOSE_LIMITS,
  });
  const checks = issuerChecks(inspection, { clockTolerance: settings.clockTolerance, allowInsecureHttp: settings.allowInsecureHttp });
  if (token !== undefined) {
    checks.push(
      ...tokenChecks(token, {
        issuer: settings.issuer,
        audiences: settings.audiences,
        clockTolerance: settings.clockTolerance,
        types: settings.types ?? DEFAULT_TYPES,
        keys: keysFor(inspection),
        clockSkew: inspection.clock?.skewSeconds,
        now: Date.now() / 1000,
      }),
      await verification(token, settings, fetcher),
    );
  }

  const failed = checks.filter((check) => check.status === "fail").length;
  const passed = checks.filter((check) => check.status === "pass").length;
  if (values.json === true) {
    io.stdout(printable(`${JSON.stringify({ ok: failed === 0, issuer: settings.issuer, audiences: settings.audiences, checks: checks.map(checkJson) })}\n`));
  } else {
    const audience = settings.audiences.length === 0 ? "no audience given" : `audience ${settings.audiences.map((value) => show(value)).join(", ")}`;
    const head = `tokenward doctor: issuer ${show(settings.issuer)}, ${audience}${token === undefined ? ", no token" : ""}\n\n`;
    const skipped = checks.length - failed - passed;
    const tally = `${passed} passed, ${failed} failed${skipped === 0 ? "" : `, ${skipped} not applicable`}`;
    const foot = failed === 0 ? `\n✓ all checks passed (${tally})\n` : `\n✗ ${failed === 1 ? "1 check" : `${failed} checks`} failed (${tally})\n`;
    // renderChecks escapes what it prints itself, and adds the colour codes after.
    io.stdout(`${printable(head)}${renderChecks(checks, useColour(io.tty, io.env))}${foot}`);
  }
  return failed === 0 ? EXIT.ok : EXIT.invalid;
}
