// `tokenward mint --key`: a JWT signed with a private key file, with exactly
// the claims asked for, for testing an API against tokens no issuer would
// give out (expired, another audience, extra claims). Signed by jose.

import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { MintError } from "./mint-error.js";
import { readPrivateKey } from "./read-private-key.js";

export interface MintAdHocOptions {
  /** The key file's content, and its name for messages. */
  readonly keyText: string;
  readonly keyFile: string;
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly subject: string | undefined;
  readonly scope: string | undefined;
  readonly ttlSeconds: number;
  /** name=JSON, applied last: they may replace any claim above (exp in the past, say). */
  readonly claims: readonly string[];
  /** The typ header; "" leaves it out. */
  readonly typ: string;
  readonly kid: string | undefined;
  readonly alg: string | undefined;
  readonly now?: () => number;
}

/** Parses --claim name=JSON; plain words are refused rather than guessed, with the quoting that works. */
export function parseClaim(raw: string): [string, unknown] {
  const at = raw.indexOf("=");
  if (at <= 0) throw new MintError(`--claim ${JSON.stringify(raw)}: write name=JSON, e.g. --claim 'roles=["admin"]' or --claim 'tenant="acme"'`);
  const name = raw.slice(0, at);
  const text = raw.slice(at + 1);
  // A claim named __proto__ would set the payload's prototype instead of a member.
  if (name === "__proto__") throw new MintError("--claim __proto__ is not a claim name");
  try {
    return [name, JSON.parse(text)];
  } catch {
    throw new MintError(`--claim ${name}: the value is not JSON; a string needs JSON quotes inside shell quotes: --claim '${name}=${JSON.stringify(text)}'`);
  }
}

export interface AdHocToken {
  readonly token: string;
  /** The kid in the header, if any. */
  readonly kid: string | undefined;
}

export async function mintAdHoc(options: MintAdHocOptions): Promise<AdHocToken> {
  const extra = options.claims.map(parseClaim);
  const key = readPrivateKey(options.keyText, options.keyFile, { alg: options.alg, kid: options.kid });
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  const payload: Record<string, unknown> = {
    iss: options.issuer,
    ...(options.subject === undefined ? {} : { sub: options.subject }),
    aud: options.audiences.length === 1 ? options.audiences[0] : [...options.audiences],
    iat,
    exp: iat + options.ttlSeconds,
    jti: randomUUID(),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
  };
  for (const [name, value] of extra) payload[name] = value;
  const header: { alg: string; typ?: string; kid?: string } = { alg: key.alg };
  if (options.typ !== "") header.typ = options.typ;
  if (key.kid !== undefined) header.kid = key.kid;
  return { token: await new SignJWT(payload).setProtectedHeader(header).sign(key.key), kid: key.kid };
}
