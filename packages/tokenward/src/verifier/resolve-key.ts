import { list, show } from "../errors/hints.js";
import { TokenError } from "../errors/token-error.js";
import type { KeySource } from "../jwks/key-source.js";
import type { AlgorithmSpec } from "../jws/algorithms.js";
import type { KeySet } from "../keys/key-set.js";
import type { VerificationKey } from "../keys/verification-key.js";

function notFound(source: KeySource, set: KeySet, problem: string, refreshNote: string): TokenError {
  const ignored = set.ignored.length === 0 ? "" : ` Ignored keys: ${set.ignored.slice(0, 5).join("; ")}.`;
  const rotation = source.remote ? " If the issuer just rotated keys, the new key is picked up once it is published." : "";
  return new TokenError("key_not_found", { hint: `${problem}; ${source.description} holds kids ${list(set.kids)}.${refreshNote}${ignored}${rotation}` });
}

async function afterMiss(source: KeySource, set: KeySet, alg: AlgorithmSpec, kid: string | undefined, problem: string): Promise<VerificationKey> {
  if (kid === undefined || set.has(kid)) throw notFound(source, set, problem, "");
  // A kid never seen usually means the issuer rotated keys: the set is fetched
  // again, once per cool-down, so random kids cannot make us fetch at will.
  const refresh = source.refreshForUnknownKid();
  if (refresh === undefined) {
    throw notFound(
      source,
      set,
      problem,
      source.remote ? " The JWKS was fetched moments ago, so it was not fetched again yet (cool-down, jwks.cooldownMs)." : "",
    );
  }
  let fresh: KeySet;
  try {
    fresh = await refresh;
  } catch (error) {
    throw notFound(source, set, problem, ` Fetching the JWKS again failed: ${TokenError.is(error) ? error.hint : show(String(error))}`);
  }
  const selection = fresh.select(alg, kid);
  if (selection.key !== undefined) return selection.key;
  throw notFound(source, fresh, selection.problem, " The JWKS was fetched again to look for it.");
}

async function afterFetch(source: KeySource, pending: Promise<KeySet>, alg: AlgorithmSpec, kid: string | undefined): Promise<VerificationKey> {
  const set = await pending;
  const selection = set.select(alg, kid);
  return selection.key ?? afterMiss(source, set, alg, kid, selection.problem);
}

/**
 * The key a token names, from its issuer's source. Synchronous when the keys
 * are cached and the kid is known, which is every request but the first few
 * after a start or a rotation.
 */
export function resolveKey(source: KeySource, alg: AlgorithmSpec, kid: string | undefined): VerificationKey | Promise<VerificationKey> {
  const current = source.keys();
  if (current instanceof Promise) return afterFetch(source, current, alg, kid);
  const selection = current.select(alg, kid);
  return selection.key ?? afterMiss(source, current, alg, kid, selection.problem);
}
