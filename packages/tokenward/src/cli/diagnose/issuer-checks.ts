import { list, show } from "../../errors/hints.js";
import { type Check, fail, pass, skip } from "./check.js";
import { bare, skewWords } from "./format.js";
import type { FetchProblem, IssuerInspection } from "./inspect-issuer.js";
import { type KeyReport, keyLine } from "./inspect-jwks.js";

export interface IssuerCheckOptions {
  /** Seconds of clock skew the verifier tolerates. */
  readonly clockTolerance: number;
  readonly allowInsecureHttp: boolean;
}

const KIND = { "openid-configuration": "OpenID Connect Discovery §4", "oauth-authorization-server": "RFC 8414 §3.1" } as const;
const HTTPS_ONLY =
  "use https (plain http is accepted only on 127.0.0.1, ::1 and localhost; --dangerously-allow-insecure-http lifts that for a test, never in production: anyone on the path could swap the keys)";

/** What to do about a JWKS or metadata URL that could not be fetched, by what went wrong. */
export function fetchHint(problem: FetchProblem, url: string): string {
  switch (problem.reason) {
    case "refused":
      return HTTPS_ONLY;
    case "timeout":
      return `nothing answered in time: check that this host can reach ${url} (firewall, proxy, DNS), e.g. curl -v from this host`;
    case "network":
      return `the connection failed: check that the server is up and that host and port are right (curl -v ${url} from this host)`;
    case "redirect":
      return "configure the final URL: redirects are never followed, as the keys would then come from wherever the redirect points";
    case "too_large":
      return "a JWK Set holds a few keys; this is something else (check the URL), or raise jwks.maxBytes if the set is really this large";
    case "invalid_json":
      return "the URL does not serve JSON (an HTML login or error page?): check that it is the JWKS URL";
    case "status":
      if (problem.status === 404) return "the URL is wrong: take jwks_uri from the issuer's metadata (tokenward discover <issuer>)";
      if (problem.status === 401 || problem.status === 403) return "the JWKS must be public: it holds public keys, and verifiers fetch it without credentials";
      if (problem.status !== undefined && problem.status >= 500)
        return "the server failed: check its logs; until it answers, verifiers without cached keys refuse every token (jwks_unavailable)";
      return `check the URL: a JWKS answers 200 with {"keys": [...]}`;
  }
}

function urlPolicy(inspection: IssuerInspection, options: IssuerCheckOptions): Check {
  const id = "url_policy";
  const title = "URL policy";
  const { jwks } = inspection;
  if (jwks.source === "url" && jwks.problem?.reason === "refused") {
    return fail(id, title, `--jwks ${jwks.location}: ${jwks.problem.message}`, HTTPS_ONLY);
  }
  if (inspection.issuerUrlProblem !== undefined) {
    if (jwks.source !== "discovery") {
      return pass(id, title, `keys come from --jwks; the issuer is not fetched from (${inspection.issuerUrlProblem})`);
    }
    return inspection.issuerIsUrl
      ? fail(id, title, `the issuer ${inspection.issuerUrlProblem}`, `keys are discovered from the issuer URL: ${HTTPS_ONLY}; or give the JWKS with --jwks`)
      : fail(
          id,
          title,
          inspection.issuerUrlProblem,
          "keys are discovered from the issuer, which needs its URL; give the issuer exactly as tokens carry it in iss, or give the keys with --jwks",
        );
  }
  const url = new URL(inspection.issuer);
  const why =
    url.protocol === "https:" ? "https" : options.allowInsecureHttp ? "http, allowed by --dangerously-allow-insecure-http" : "http on a loopback host";
  return pass(id, title, `${inspection.issuer} may be fetched (${why})`);
}

function discovery(inspection: IssuerInspection): Check {
  const id = "discovery";
  const title = "discovery";
  const details = inspection.metadata.map(
    (attempt) =>
      `${attempt.answered ? "answered" : "failed  "} ${attempt.url} (${KIND[attempt.kind]})${attempt.error === undefined ? "" : `: ${attempt.error}`}`,
  );
  const explicit = inspection.jwks.source !== "discovery";
  if (inspection.metadata.length === 0) return skip(id, title, "not tried: the issuer URL may not be fetched");
  if (inspection.used !== undefined) {
    // When every URL answered, the lines would only repeat the summary.
    const partial = inspection.metadata.some((attempt) => !attempt.answered);
    return pass(id, title, `${inspection.used.url} answered (${KIND[inspection.used.kind]})`, partial ? { details } : {});
  }
  if (explicit) return skip(id, title, "no metadata document answered; not needed, as the keys are given with --jwks", { details });
  return fail(
    id,
    title,
    "no metadata document answered",
    "check the issuer URL (copy iss from a real token: tokenward decode) and that this host can reach it; or give the JWKS URL explicitly (--jwks, jwksUri)",
    { details },
  );
}

function issuerExact(inspection: IssuerInspection): Check {
  const id = "issuer";
  const title = "issuer";
  if (inspection.used === undefined) return skip(id, title, "no metadata to compare with");
  if (inspection.mismatch === undefined) return pass(id, title, `the metadata names ${show(inspection.issuer)}, exactly as configured`);
  return fail(id, title, inspection.mismatch.why, inspection.mismatch.fix, { data: { metadataIssuer: inspection.used.issuer } });
}

function jwksReachable(inspection: IssuerInspection): Check {
  const id = "jwks_reachable";
  const title = "JWKS reachable";
  const { jwks, used } = inspection;
  if (jwks.source === "file") return pass(id, title, `read from ${jwks.location}`);
  if (jwks.location === undefined) {
    if (used === undefined) return skip(id, title, "no JWKS URL: discovery found no metadata");
    return fail(
      id,
      title,
      `the metadata at ${used.url} has no jwks_uri (it is ${show(used.jwksUri)})`,
      "the issuer publishes no keys there; give the JWKS URL explicitly (--jwks, jwksUri)",
    );
  }
  if (jwks.problem !== undefined) {
    const where = bare(jwks.location, 300);
    const what = jwks.source === "discovery" ? `jwks_uri ${where}` : where;
    return fail(id, title, `${what}: ${jwks.problem.message}`, fetchHint(jwks.problem, where));
  }
  return pass(id, title, `${bare(jwks.location, 300)} answered`);
}

function jwksValid(inspection: IssuerInspection): Check {
  const id = "jwks_valid";
  const title = "JWKS valid";
  const report = inspection.jwks.report;
  if (report === undefined) return skip(id, title, "no JWKS to read");
  if (report.formatError !== undefined) {
    return fail(
      id,
      title,
      `not a JWK Set: ${report.formatError}`,
      'a JWKS is a JSON object {"keys": [...]} (RFC 7517 §5); check that the URL or file is the JWKS, not the metadata document or an error page',
    );
  }
  const count = report.keys.length + report.unread;
  return pass(id, title, `a JWK Set with ${count === 1 ? "1 key" : `${count} keys`}`);
}

/** readJwk's reasons quote untrusted parts with JSON escapes already; only their length needs a bound. */
function cut(text: string): string {
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function statusOf(key: KeyReport): string {
  if (key.usable) return "✓";
  return key.notForSignatures ? "-" : "✗";
}

function keyDetails(keys: readonly KeyReport[]): string[] {
  return keys.map(
    (key) =>
      `${statusOf(key)} ${keyLine(key)}${key.problem === undefined ? "" : `: ${key.notForSignatures ? "ignored, not for signatures" : "ignored"} (${cut(key.problem)})`}`,
  );
}

function usableKeys(inspection: IssuerInspection): Check {
  const id = "jwks_keys";
  const title = "usable keys";
  const report = inspection.jwks.report;
  if (report?.keySet === undefined) return skip(id, title, "no JWK Set to read");
  const details = keyDetails(report.keys);
  if (report.unread > 0) details.push(`${report.unread} more keys beyond the limit of ${report.keys.length} were not read`);
  const usable = report.keySet.keys.length;
  const data = { kids: report.keySet.kids, usable };
  // Weak RSA keys and duplicates have checks of their own; here, the rest.
  const faulty = report.keys.filter((key) => !key.usable && !key.notForSignatures && !key.weak);
  const leaked = report.keys.filter((key) => key.privateMaterial);
  if (leaked.length > 0) {
    return fail(
      id,
      title,
      `${leaked.length === 1 ? "a key publishes" : `${leaked.length} keys publish`} private key material`,
      "anyone can sign tokens with it: replace that key at once, and publish only the public members (kty, n, e / crv, x, y)",
      { details, data },
    );
  }
  if (usable === 0) {
    return fail(
      id,
      title,
      report.keys.length === 0 ? "the JWK Set is empty" : "none of the keys can verify signatures",
      'the issuer must publish its public signing keys: RSA of 2048 bits or more, EC on P-256, P-384 or P-521, or Ed25519, with use "sig" or no use (RFC 7517 §4.2); every token fails until it does',
      { details, data },
    );
  }
  if (faulty.length > 0) {
    return fail(
      id,
      title,
      `${usable} usable, ${faulty.length} unusable`,
      "tokens signed by an unusable key fail with key_not_found; fix or remove those keys at the issuer",
      { details, data },
    );
  }
  const ignored = report.keys.length - usable;
  return pass(id, title, `${usable} usable${ignored === 0 ? "" : `, ${ignored} not for signatures (ignored)`}: ${list(report.keySet.kids)}`, { details, data });
}

function duplicateKids(inspection: IssuerInspection): Check {
  const id = "jwks_duplicate_kids";
  const title = "duplicate kids";
  const report = inspection.jwks.report;
  if (report?.keySet === undefined) return skip(id, title, "no JWK Set to read");
  if (report.duplicates.length === 0) return pass(id, title, "every signing key has its own kid");
  const names = report.duplicates.map((duplicate) => `${show(duplicate.kid)} (${duplicate.count} ${duplicate.kty} keys)`);
  return fail(
    id,
    title,
    `shared kid: ${names.join(", ")}`,
    "give every key its own kid (RFC 7517 §4.5); a verifier cannot tell which one a token names, so tokenward refuses such tokens (key_not_found) rather than guess",
    { data: { duplicates: report.duplicates.map((duplicate) => duplicate.kid) } },
  );
}

function weakRsa(inspection: IssuerInspection): Check {
  const id = "jwks_weak_rsa";
  const title = "weak RSA keys";
  const report = inspection.jwks.report;
  if (report?.keySet === undefined) return skip(id, title, "no JWK Set to read");
  const weak = report.keys.filter((key) => key.weak && !key.notForSignatures);
  if (weak.length === 0) return pass(id, title, "no RSA key under 2048 bits");
  return fail(
    id,
    title,
    weak.map((key) => `${key.kid === undefined ? "a key without kid" : show(key.kid)}: ${key.bits} bits`).join(", "),
    "RSA keys need 2048 bits or more (RFC 7518 §3.3); verifiers ignore shorter ones, so the tokens they sign fail (key_not_found). Rotate the issuer to a 2048-bit RSA key, or to ES256",
  );
}

function clock(inspection: IssuerInspection, options: IssuerCheckOptions): Check {
  const id = "clock";
  const title = "clock";
  if (inspection.clock === undefined) return skip(id, title, "no answer carried a Date header to compare with");
  const { skewSeconds, url } = inspection.clock;
  const data = { skewSeconds, source: url };
  const summary = `the server's clock is ${skewWords(skewSeconds)} (Date header of ${bare(url, 300)}; tolerance ${options.clockTolerance} s)`;
  if (Math.abs(skewSeconds) <= options.clockTolerance) return pass(id, title, summary, { data });
  const effect =
    skewSeconds > 0
      ? `tokens it issues look ${skewSeconds} s younger here: their iat and nbf are in our future (token_not_yet_valid), and they expire ${skewSeconds} s later than meant`
      : `tokens it issues look ${-skewSeconds} s older here: they expire that much early (token_expired)`;
  return fail(
    id,
    title,
    summary,
    `${effect}. Synchronise both clocks with NTP (chrony, systemd-timesyncd); raising the clock tolerance only hides the difference`,
    { data },
  );
}

/** The issuer half of a diagnosis: URL policy, discovery, exact issuer, the JWKS and its keys, the clock. */
export function issuerChecks(inspection: IssuerInspection, options: IssuerCheckOptions): Check[] {
  return [
    urlPolicy(inspection, options),
    discovery(inspection),
    issuerExact(inspection),
    jwksReachable(inspection),
    jwksValid(inspection),
    usableKeys(inspection),
    duplicateKids(inspection),
    weakRsa(inspection),
    clock(inspection, options),
  ];
}
