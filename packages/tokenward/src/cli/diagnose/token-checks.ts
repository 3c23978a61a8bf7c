import { duration, list, nearMiss, show } from "../../errors/hints.js";
import { TokenError } from "../../errors/token-error.js";
import { describeType, normalizeMediaType } from "../../issuers/typ.js";
import { algorithmSpec, DEFAULT_ALGORITHMS } from "../../jws/algorithms.js";
import { decodeUnverified } from "../../jws/decode-unverified.js";
import type { KeySet } from "../../keys/key-set.js";
import { isoTime } from "../io.js";
import { type Check, fail, pass, skip } from "./check.js";
import { skewWords } from "./format.js";
import type { KeyReport } from "./inspect-jwks.js";
import { explainIssuerMismatch } from "./issuer-mismatch.js";

export interface TokenCheckContext {
  readonly issuer: string;
  /** The audiences the API accepts; none given means the audience is not checked. */
  readonly audiences: readonly string[];
  readonly clockTolerance: number;
  /** Accepted typ values (RFC 7515 §4.1.9 media types). */
  readonly types: readonly string[];
  /** The keys the verifier would use, and every member as read; undefined when the JWKS could not be had. */
  readonly keys: { readonly set: KeySet; readonly members: readonly KeyReport[]; readonly location: string } | undefined;
  /** The issuer's clock against ours, in seconds, when measured. */
  readonly clockSkew: number | undefined;
  /** Now, in Unix seconds. */
  readonly now: number;
}

type Claims = Record<string, unknown>;

const SKIPPED = [
  ["token_issuer", "token iss"],
  ["token_audience", "token aud"],
  ["token_exp", "token exp"],
  ["token_nbf", "token nbf"],
  ["token_iat", "token iat"],
  ["token_kid", "token kid"],
  ["token_alg", "token alg"],
  ["token_typ", "token typ"],
] as const;

/** "116 s", or "10 min 3 s (603 s)": the distance, and the exact seconds once it is long enough to be rounded into minutes. */
function distance(seconds: number): string {
  const size = Math.abs(Math.round(seconds));
  return size < 120 ? duration(size) : `${duration(size)} (${size} s)`;
}

function clockNote(context: TokenCheckContext): string {
  return context.clockSkew === undefined ? "" : ` (measured: the server's clock is ${skewWords(context.clockSkew)})`;
}

function issuerCheck(claims: Claims, context: TokenCheckContext): Check {
  const id = "token_issuer";
  const title = "token iss";
  if (claims.iss === context.issuer) return pass(id, title, `${show(claims.iss)}, exactly the configured issuer`);
  const mismatch = explainIssuerMismatch(claims.iss, context.issuer, "the token", "token");
  return fail(id, title, mismatch.why, mismatch.fix, { data: { iss: claims.iss ?? null } });
}

function audienceCheck(claims: Claims, context: TokenCheckContext): Check {
  const id = "token_audience";
  const title = "token aud";
  const aud = claims.aud;
  if (context.audiences.length === 0) return skip(id, title, `not checked: no --audience given (the token says ${show(aud ?? null)})`);
  if (aud === undefined) {
    return fail(
      id,
      title,
      "the token has no aud",
      `ask the issuer for a token for this API: with client credentials, send audience (or resource, RFC 8707) = ${show(context.audiences[0])}`,
    );
  }
  const values = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (values === undefined || !values.every((value) => typeof value === "string")) {
    return fail(id, title, `aud is ${show(aud)}, neither a string nor an array of strings`, "aud must be a string or an array of strings (RFC 7519 §4.1.3)");
  }
  const match = values.find((value) => context.audiences.includes(value));
  if (match !== undefined) return pass(id, title, `${show(match)} is an accepted audience`);
  const slips = values.flatMap((value) =>
    context.audiences.flatMap((expected) => {
      const why = nearMiss(value, expected);
      return why === undefined ? [] : [`${show(value)} ${why} from ${show(expected)}`];
    }),
  );
  return fail(
    id,
    title,
    `the token is for ${list(values)}, not ${list(context.audiences)}`,
    slips.length > 0
      ? `${slips.join("; ")}. Audiences are compared exactly: configure the audience exactly as the issuer writes it, or request tokens for the exact audience this API accepts`
      : `the token was issued for another API: request one for ${show(context.audiences[0])} (audience or resource parameter, RFC 8707); or, if this API is ${show(values[0])}, accept that audience`,
    { data: { aud } },
  );
}

function numeric(claims: Claims, name: string): number | undefined | "invalid" {
  const value = claims[name];
  if (value === undefined) return undefined;
  return typeof value === "number" && Number.isFinite(value) ? value : "invalid";
}

function invalidTime(id: string, title: string, name: string, value: unknown): Check {
  return fail(id, title, `${name} is ${show(value)}`, `${name} must be a NumericDate, a number of seconds since 1970 (RFC 7519 §2)`);
}

function expCheck(claims: Claims, context: TokenCheckContext): Check {
  const id = "token_exp";
  const title = "token exp";
  const exp = numeric(claims, "exp");
  if (exp === undefined) {
    return fail(id, title, "the token has no exp", "access tokens must expire (RFC 9068 §2.2); tokenward refuses a token without exp (claim_missing)");
  }
  if (exp === "invalid") return invalidTime(id, title, "exp", claims.exp);
  const left = Math.round(exp - context.now);
  const data = { exp, secondsLeft: left };
  if (exp <= context.now - context.clockTolerance) {
    return fail(
      id,
      title,
      `expired ${distance(-left)} ago (exp ${isoTime(exp)}, now ${isoTime(context.now)}, tolerance ${context.clockTolerance} s)`,
      `get a new token: access tokens are short-lived by design. If a token fails this way right after it was issued, the clocks disagree${clockNote(context)}: synchronise them with NTP`,
      { data },
    );
  }
  return pass(id, title, left >= 0 ? `expires in ${distance(left)}, at ${isoTime(exp)}` : `expired ${distance(-left)} ago, within the tolerance`, { data });
}

function notBeforeCheck(claims: Claims, context: TokenCheckContext, name: "nbf" | "iat"): Check {
  const id = `token_${name}`;
  const title = `token ${name}`;
  const value = numeric(claims, name);
  if (value === undefined) return skip(id, title, `no ${name} claim (optional)`);
  if (value === "invalid") return invalidTime(id, title, name, claims[name]);
  const ahead = Math.round(value - context.now);
  const data = { [name]: value, secondsAhead: ahead };
  if (value > context.now + context.clockTolerance) {
    return fail(
      id,
      title,
      `${distance(ahead)} in the future (${name} ${isoTime(value)}, now ${isoTime(context.now)}, tolerance ${context.clockTolerance} s)`,
      `the issuer's clock is ahead of ours, or ours is behind${clockNote(context)}: synchronise both with NTP; tokenward refuses such a token (token_not_yet_valid) until then`,
      { data },
    );
  }
  return pass(id, title, ahead > 0 ? `${ahead} s in the future, within the tolerance` : `${distance(-ahead)} ago, at ${isoTime(value)}`, { data });
}

function kidCheck(header: Claims, context: TokenCheckContext): Check {
  const id = "token_kid";
  const title = "token kid";
  const keys = context.keys;
  if (keys === undefined) return skip(id, title, "no JWKS to look in");
  const kids = keys.set.kids;
  const data = { kid: header.kid ?? null, kids };
  if (header.kid === undefined) {
    if (keys.set.keys.length === 1) return pass(id, title, "the token has no kid; the JWKS has one usable key", { data });
    return fail(
      id,
      title,
      `the token has no kid, and the JWKS at ${keys.location} has ${keys.set.keys.length} usable keys`,
      "tokenward does not try keys one by one: the issuer must name its key in the kid header (RFC 7515 §4.1.4) when it publishes several",
      { data },
    );
  }
  if (typeof header.kid !== "string") return fail(id, title, `kid is ${show(header.kid)}, not a string`, "kid must be a string (RFC 7515 §4.1.4)", { data });
  if (keys.set.has(header.kid)) return pass(id, title, `${show(header.kid)} is in the JWKS`, { data });
  const ignored = keys.members.find((member) => member.kid === header.kid);
  if (ignored?.problem !== undefined) {
    return fail(
      id,
      title,
      `${show(header.kid)} names a key the verifier ignores: ${ignored.problem}`,
      ignored.weak
        ? "the issuer signs with an RSA key under 2048 bits (RFC 7518 §3.3): rotate it to a 2048-bit RSA or an ES256 key"
        : 'the issuer must publish that key as a public signing key (use "sig" or no use); fix it at the issuer',
      { data },
    );
  }
  return fail(
    id,
    title,
    `${show(header.kid)} is not in the JWKS at ${keys.location}, which has ${list(kids)}`,
    "the token was signed with a key this JWKS does not publish: it comes from another issuer, tenant or environment (staging vs production), or its key was removed. Compare its iss with the configured issuer and check the JWKS URL",
    { data },
  );
}

function algCheck(header: Claims, context: TokenCheckContext): Check {
  const id = "token_alg";
  const title = "token alg";
  const alg = header.alg;
  if (typeof alg !== "string" || alg === "") return fail(id, title, `alg is ${show(alg ?? null)}`, "a JWS names its algorithm in alg (RFC 7515 §4.1.1)");
  if (alg.toLowerCase() === "none") {
    return fail(id, title, 'alg "none": the token is not signed', "unsigned tokens are never accepted (RFC 8725 §3.1): the issuer must sign its tokens");
  }
  const spec = algorithmSpec(alg);
  if (spec?.family === "HMAC") {
    return fail(
      id,
      title,
      `${alg} is HMAC, which needs a shared secret; the issuer is trusted through public keys`,
      "an HMAC token checked against public keys is the algorithm-confusion attack (RFC 8725 §2.1), so it is refused; if your issuer really signs with a shared secret, configure that secret in code (the issuer policy's secret option)",
    );
  }
  if (spec === undefined || !(DEFAULT_ALGORITHMS as readonly string[]).includes(alg)) {
    return fail(
      id,
      title,
      `${show(alg)} is not allowed`,
      `tokenward verifies ${DEFAULT_ALGORITHMS.join(", ")}; configure the issuer to sign with one of them (RS256 or ES256 are the usual)`,
    );
  }
  const kid = typeof header.kid === "string" ? header.kid : undefined;
  if (context.keys !== undefined && (kid === undefined || context.keys.set.has(kid))) {
    const selection = context.keys.set.select(spec, kid);
    if (selection.problem !== undefined) {
      return fail(
        id,
        title,
        `${alg} is allowed, but ${selection.problem}`,
        "the token's alg and its key disagree: the issuer must sign with the algorithm its key is published for (or the token was altered)",
      );
    }
    return pass(id, title, `${alg} is allowed, and the key suits it`);
  }
  return pass(id, title, `${alg} is allowed`);
}

function typCheck(header: Claims, context: TokenCheckContext): Check {
  const id = "token_typ";
  const title = "token typ";
  const typ = header.typ;
  if (typ === undefined) return pass(id, title, "no typ (accepted: tokens need not carry one)");
  if (typeof typ !== "string") return fail(id, title, `typ is ${show(typ)}, not a string`, "typ is a media type string (RFC 7515 §4.1.9)");
  const accepted = context.types.map(normalizeMediaType);
  const normalized = normalizeMediaType(typ);
  if (accepted.includes(normalized)) return pass(id, title, `${show(typ)} is accepted`);
  const known = describeType(normalized);
  return fail(
    id,
    title,
    `${show(typ)} is not accepted here (accepted: ${list(context.types)})${known === undefined ? "" : `: this is ${known}`}`,
    known === undefined
      ? "if your issuer marks its access tokens this way, accept that typ (--type, the types option); otherwise present an access token"
      : "present an access token (RFC 9068: typ at+jwt) instead; RFC 8725 §3.11 keeps kinds of JWT apart so that one cannot pass for another",
  );
}

/**
 * What can be said about a token before verifying it: its shape, and each
 * claim and header the verifier will judge, against the configuration and
 * the issuer's keys, with distances in seconds where time is involved. None
 * of it is trusted: the real verification comes after these.
 */
export function tokenChecks(token: string, context: TokenCheckContext): Check[] {
  let decoded: ReturnType<typeof decodeUnverified>;
  try {
    decoded = decodeUnverified(token);
  } catch (error) {
    if (!TokenError.is(error)) throw error;
    return [
      fail(
        "token_decoded",
        "token decoded",
        `not a compact JWS: ${error.hint}`,
        "pass the access token itself (three base64url parts separated by dots), not an ID token, a JWE or a quoted string",
      ),
      ...SKIPPED.map(([id, title]) => skip(id, title, "the token could not be decoded")),
    ];
  }
  const { header, payload, problems } = decoded;
  const isObject = (value: unknown): value is Claims => typeof value === "object" && value !== null && !Array.isArray(value);
  if (!isObject(header) || !isObject(payload)) {
    return [
      fail(
        "token_decoded",
        "token decoded",
        problems.join("; ") || "the header or payload is not a JSON object",
        "a JWT's header and payload are base64url-encoded JSON objects (RFC 7519 §7.2)",
      ),
      ...SKIPPED.map(([id, title]) => skip(id, title, "the token could not be decoded")),
    ];
  }
  const shape = `alg ${show(header.alg ?? null)}, kid ${show(header.kid ?? null)}, typ ${show(header.typ ?? null)}; sub ${show(payload.sub ?? null)}`;
  const decodedCheck =
    problems.length === 0
      ? pass("token_decoded", "token decoded", `${shape} (unverified)`)
      : fail(
          "token_decoded",
          "token decoded",
          `${shape}; but ${problems.join("; ")}`,
          "strict parsing refuses this shape (token_malformed): the token was altered on its way, or the issuer encodes it wrongly (RFC 7515 §2, §7.1)",
        );
  return [
    decodedCheck,
    issuerCheck(payload, context),
    audienceCheck(payload, context),
    expCheck(payload, context),
    notBeforeCheck(payload, context, "nbf"),
    notBeforeCheck(payload, context, "iat"),
    kidCheck(header, context),
    algCheck(header, context),
    typCheck(header, context),
  ];
}
