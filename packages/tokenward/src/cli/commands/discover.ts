import { parseArgs } from "node:util";
import { show } from "../../errors/hints.js";
import type { Check } from "../diagnose/check.js";
import { bare, printable, skewWords } from "../diagnose/format.js";
import { type IssuerInspection, inspectIssuer } from "../diagnose/inspect-issuer.js";
import { keyLine } from "../diagnose/inspect-jwks.js";
import { issuerChecks } from "../diagnose/issuer-checks.js";
import { createObservedFetcher } from "../diagnose/observed-fetcher.js";
import { DEFAULT_CLOCK_TOLERANCE, DIAGNOSE_LIMITS, useColour } from "../diagnose/options.js";
import { checkJson, renderChecks } from "../diagnose/render-checks.js";
import { EXIT, type Io, UsageError } from "../io.js";

export const DISCOVER_USAGE = `Usage: tokenward discover <issuer> [--json] [--dangerously-allow-insecure-http]

Fetches an issuer's metadata the way a verifier does (OpenID Connect
Discovery's /.well-known/openid-configuration, then RFC 8414's
/.well-known/oauth-authorization-server with path insertion), says which
answered and whether it names the issuer exactly, then fetches the JWKS and
lists its keys, flagging the ones a verifier cannot use.

  <issuer>               the issuer URL, as you would configure it
  --dangerously-allow-insecure-http
                         fetch over http from a non-loopback host
  --json                 one JSON object on standard output

Exit status: 0 all is well, 1 something is wrong (each problem with a hint), 2 usage error.
`;

const KIND = { "openid-configuration": "OpenID Connect Discovery", "oauth-authorization-server": "RFC 8414" } as const;

function render(inspection: IssuerInspection, checks: readonly Check[], colour: boolean): string {
  const lines = [`issuer    ${inspection.issuer}`];
  if (inspection.metadata.length === 0) lines.push(`metadata  not fetched: ${inspection.issuerUrlProblem}`);
  inspection.metadata.forEach((attempt, index) => {
    const state = attempt.answered ? "answered" : `failed: ${attempt.error}`;
    lines.push(`${index === 0 ? "metadata" : "        "}  ${attempt.answered ? "✓" : "✗"} ${attempt.url} (${KIND[attempt.kind]}) ${state}`);
  });
  const { used } = inspection;
  if (used !== undefined) {
    lines.push(`used      ${used.url}`);
    lines.push(`          issuer ${show(used.issuer ?? null)}${inspection.mismatch === undefined ? ", exactly as given" : ", NOT the issuer given"}`);
    lines.push(`          jwks_uri ${show(used.jwksUri ?? null)}`);
  }
  const report = inspection.jwks.report;
  if (report !== undefined && report.formatError === undefined) {
    const count = report.keys.length + report.unread;
    lines.push(`keys      ${count === 1 ? "1 key" : `${count} keys`} at ${bare(inspection.jwks.location, 300)}`);
    for (const key of report.keys) {
      const mark = key.usable ? "✓" : key.notForSignatures ? "-" : "✗";
      const why =
        key.problem === undefined
          ? ""
          : `  (${key.notForSignatures ? "not for signatures, ignored" : "unusable"}: ${key.problem.length > 240 ? `${key.problem.slice(0, 240)}…` : key.problem})`;
      lines.push(`          ${mark} ${keyLine(key)}${why}`);
    }
  }
  if (inspection.clock !== undefined)
    lines.push(`clock     the server's clock is ${skewWords(inspection.clock.skewSeconds)} (Date header of ${bare(inspection.clock.url, 300)})`);
  const problems = checks.filter((check) => check.status === "fail");
  lines.push("");
  if (problems.length === 0) lines.push("✓ all is well: a verifier can discover this issuer and use its keys");
  else lines.push(`✗ ${problems.length === 1 ? "1 problem" : `${problems.length} problems`}:`);
  return `${printable(lines.join("\n"))}\n${problems.length === 0 ? "" : renderChecks(problems, colour)}`;
}

function json(inspection: IssuerInspection, checks: readonly Check[]): Record<string, unknown> {
  const report = inspection.jwks.report;
  return {
    ok: checks.every((check) => check.status !== "fail"),
    issuer: inspection.issuer,
    metadata: inspection.metadata.map((attempt) => ({
      url: attempt.url,
      kind: attempt.kind,
      answered: attempt.answered,
      error: attempt.error ?? null,
      issuer: attempt.issuer ?? null,
      jwksUri: attempt.jwksUri ?? null,
    })),
    used: inspection.used?.url ?? null,
    issuerMatches: inspection.used === undefined ? null : inspection.mismatch === undefined,
    jwksUri: inspection.jwks.location ?? null,
    keys: (report?.keys ?? []).map((key) => ({
      kid: key.kid ?? null,
      kty: key.kty ?? null,
      crv: key.crv ?? null,
      alg: key.alg ?? null,
      use: key.use ?? null,
      bits: key.bits ?? null,
      usable: key.usable,
      problem: key.problem ?? null,
    })),
    clock: inspection.clock === undefined ? null : { skewSeconds: inspection.clock.skewSeconds, source: inspection.clock.url },
    checks: checks.map(checkJson),
  };
}

export async function discoverCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: "boolean" },
      "dangerously-allow-insecure-http": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    io.stdout(DISCOVER_USAGE);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError("give the issuer URL, e.g. tokenward discover https://your-tenant.auth0.com/");
  if (positionals.length > 1) throw new UsageError(`one issuer at a time; got ${positionals.length} arguments`);
  const issuer = positionals[0] as string;
  try {
    new URL(issuer);
  } catch {
    throw new UsageError(`${show(issuer)} is not an absolute URL; give the issuer as its tokens spell iss, e.g. https://idp.example.com`);
  }
  const allowInsecureHttp = values["dangerously-allow-insecure-http"] === true;
  const inspection = await inspectIssuer({ issuer, allowInsecureHttp, fetcher: createObservedFetcher(), limits: DIAGNOSE_LIMITS });
  const checks = issuerChecks(inspection, { clockTolerance: DEFAULT_CLOCK_TOLERANCE, allowInsecureHttp });
  const ok = checks.every((check) => check.status !== "fail");
  if (values.json === true) io.stdout(printable(`${JSON.stringify(json(inspection, checks))}\n`));
  else io.stdout(render(inspection, checks, useColour(io.tty, io.env)));
  return ok ? EXIT.ok : EXIT.invalid;
}
