import { show } from "../errors/hints.js";
import type { AlgorithmSpec } from "../jws/algorithms.js";
import { readJwk } from "./read-jwk.js";
import type { VerificationKey } from "./verification-key.js";

export type KeySelection = { key: VerificationKey; problem?: undefined } | { key?: undefined; problem: string };

export interface KeySetOptions {
  /** Accept `oct` keys: only for configured secrets, never for a fetched JWKS. */
  symmetric: boolean;
  /** The most keys read from one set; the rest are ignored (and reported). */
  maxKeys: number;
  /**
   * Let a key without `kid` answer a token that names one. Right for a
   * configured secret, which has no kid to match; wrong for a published JWKS,
   * where a kid names one key exactly.
   */
  kidlessMatchesAnyKid?: boolean;
}

/** Thrown when a document is not a JWK Set at all (RFC 7517 §5). */
export class KeySetFormatError extends Error {}

/**
 * A JWK Set read once: the usable keys indexed by `kid`, and a line for each
 * key that was ignored (for hints). Selection is exact and never guesses:
 * a token names its key with `kid`, the key must suit the token's `alg`
 * (kty, curve, the key's own `alg`), and two suitable keys with one `kid`
 * are ambiguous and refused.
 */
export class KeySet {
  readonly keys: readonly VerificationKey[];
  readonly ignored: readonly string[];
  /** Changes whenever the usable keys change: how caches notice a rotation. */
  readonly fingerprint: string;
  private readonly byKid: ReadonlyMap<string, readonly VerificationKey[]>;
  /** kid -> the kty of each member that claims that kid for signatures but was ignored. */
  private readonly unreadable: ReadonlyMap<string, ReadonlySet<string>>;
  private readonly kidless: readonly VerificationKey[];

  private constructor(keys: VerificationKey[], ignored: string[], unreadable: ReadonlyMap<string, ReadonlySet<string>>, kidlessMatchesAnyKid: boolean) {
    this.keys = Object.freeze(keys);
    this.ignored = Object.freeze(ignored);
    this.unreadable = unreadable;
    this.kidless = kidlessMatchesAnyKid ? keys.filter((key) => key.kid === undefined) : [];
    const byKid = new Map<string, VerificationKey[]>();
    for (const key of keys) {
      if (key.kid === undefined) continue;
      const list = byKid.get(key.kid);
      if (list === undefined) byKid.set(key.kid, [key]);
      else list.push(key);
    }
    this.byKid = byKid;
    const usable = keys.map((key) => [key.kid, key.alg, key.issuer, key.jwk]);
    // An unreadable duplicate changes which tokens verify, so it is part of the fingerprint.
    this.fingerprint = JSON.stringify(unreadable.size === 0 ? usable : [usable, [...unreadable].map(([kid, types]) => [kid, [...types]])]);
  }

  static fromJwks(document: unknown, options: KeySetOptions): KeySet {
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
      throw new KeySetFormatError("the JWKS is not a JSON object");
    }
    const members = (document as { keys?: unknown }).keys;
    if (!Array.isArray(members)) throw new KeySetFormatError('the JWKS has no "keys" array');
    const keys: VerificationKey[] = [];
    const ignored: string[] = [];
    const unreadable = new Map<string, Set<string>>();
    for (const member of members) {
      if (keys.length + ignored.length >= options.maxKeys) {
        ignored.push(`${members.length - options.maxKeys} keys beyond the limit of ${options.maxKeys} were not read`);
        break;
      }
      const reading = readJwk(member, options);
      if (reading.key !== undefined) {
        keys.push(reading.key);
        continue;
      }
      ignored.push(reading.ignored);
      const claim = signingKidOf(member);
      if (claim !== undefined) unreadable.set(claim.kid, (unreadable.get(claim.kid) ?? new Set()).add(claim.kty));
    }
    // RFC 8725 §2.1 and §3.1: one set mixing secrets and public keys invites
    // algorithm confusion, so it is refused whole.
    const symmetric = keys.filter((key) => key.kty === "oct").length;
    if (symmetric > 0 && symmetric < keys.length) {
      throw new KeySetFormatError("the key set mixes symmetric (oct) and asymmetric keys");
    }
    return new KeySet(keys, ignored, unreadable, options.kidlessMatchesAnyKid === true);
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  has(kid: string): boolean {
    return this.byKid.has(kid);
  }

  select(alg: AlgorithmSpec, kid: string | undefined): KeySelection {
    const pool = kid === undefined ? this.keys : (this.byKid.get(kid) ?? this.kidless);
    let found: VerificationKey | undefined;
    let count = 0;
    let mismatch: string | undefined;
    for (const key of pool) {
      const problem = unsuitable(key, alg);
      if (problem === undefined) {
        found = key;
        count++;
      } else {
        mismatch ??= problem;
      }
    }
    if (count === 1 && found !== undefined) {
      // RFC 7517 §4.5: the keys of a set have distinct kids. When another
      // member claims the same kid and key type for signatures but could not
      // be read (malformed, too weak, leaking private material), the issuer
      // may well mean that one: using the readable key would be a guess, so
      // the kid is as ambiguous as two readable duplicates.
      if (kid !== undefined && this.unreadable.get(kid)?.has(alg.kty)) {
        return {
          problem: `kid ${show(kid)} names a usable ${alg.kty} key and another ${alg.kty} key that was ignored as unusable: ambiguous, so none is used`,
        };
      }
      return { key: found };
    }
    if (count > 1) {
      return kid === undefined
        ? { problem: `the token has no kid and ${count} keys suit ${alg.name}; tokenward does not try keys one by one, so the issuer must send a kid` }
        : { problem: `${count} keys share kid ${show(kid)} and suit ${alg.name}: ambiguous, so none is used` };
    }
    if (mismatch !== undefined) return { problem: mismatch };
    return { problem: kid === undefined ? `no key suits ${alg.name}` : `no key has kid ${show(kid)}` };
  }
}

/** The kid and kty a set member claims for signature verification (not one published for encryption only). */
function signingKidOf(member: unknown): { kid: string; kty: string } | undefined {
  if (typeof member !== "object" || member === null || Array.isArray(member)) return undefined;
  const { kid, kty, use, key_ops: operations } = member as Record<string, unknown>;
  if (typeof kid !== "string" || typeof kty !== "string") return undefined;
  if (use !== undefined && use !== "sig") return undefined;
  if (Array.isArray(operations) && !operations.includes("verify")) return undefined;
  return { kid, kty };
}

function unsuitable(key: VerificationKey, alg: AlgorithmSpec): string | undefined {
  const name = key.kid === undefined ? "the key" : `key ${show(key.kid)}`;
  if (key.kty !== alg.kty) return `${name} is kty ${key.kty}, but ${alg.name} needs ${alg.kty}`;
  if (alg.curves.length > 0 && !alg.curves.includes(key.crv ?? "")) return `${name} is on ${key.crv}, but ${alg.name} needs ${alg.curves.join(" or ")}`;
  if (key.alg !== undefined && key.alg !== alg.name) return `${name} is for alg ${key.alg}, not ${alg.name}`;
  // RFC 7518 §3.2: an HMAC key at least as long as the hash output.
  if (alg.family === "HMAC" && key.secretBytes < alg.hashBytes) {
    return `${name} is ${key.secretBytes} bytes, shorter than the ${alg.hashBytes} bytes ${alg.name} requires (RFC 7518 §3.2)`;
  }
  return undefined;
}
