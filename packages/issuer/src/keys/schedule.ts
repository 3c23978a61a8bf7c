// The rotation schedule. Pure functions over a keyset and a time; the key
// store writes their results, the key manager reads them.
//
// Every key carries four times (epoch seconds):
//
//   createdAt    the key is published in the JWKS from here on.
//   activatesAt  the key signs from here on...
//   retiresAt    ...until here, which is the next key's activatesAt. Absent
//                while no successor exists: the newest key signs until rotated.
//   removeAt     the key leaves the JWKS and the file here:
//                removeAt = retiresAt + the longest token lifetime + 60 s.
//
// Why these rules:
//
// - Publish before signing. A verifier caches our JWKS for up to its
//   max-age. A token signed by a key that its cached copy lacks fails (or
//   costs a refetch, if the verifier does one). So rotate() publishes the new
//   key publishLeadSeconds before it signs, and the JWKS max-age is never more
//   than publishLeadSeconds (key-manager.ts): every cache that could see a
//   token of the new key has refetched since the key appeared.
// - Keep publishing after signing. Tokens outlive the moment they were signed:
//   one signed just before retiresAt is valid for up to the longest token
//   lifetime, and verifiers tolerate clock skew (RFC 7519 §4.1.4 allows "some
//   small leeway"; we allow 60 s). Until removeAt every token the key signed
//   still verifies; after it, none can, so the key is dropped from the JWKS
//   and, with its private half, from the file.
// - Exactly one key signs at a time, chosen by time alone, so instances that
//   share a key directory agree on it without talking to each other: the
//   published key whose [activatesAt, retiresAt) window holds now.
// - Compromise response: rotate({ immediate: true }) retires the current key
//   now and the new key signs at once (its verifiers learn it on their next
//   refetch; tokenward refetches on an unknown kid). The old key stays
//   published until its removeAt, so tokens already out keep working;
//   { revokePrevious: true } (which implies immediate) removes the previous
//   keys from the JWKS and the file at once, so tokens they signed stop
//   verifying as soon as verifiers refetch.
// - Automatic rotation, when rotateAfterDays > 0: once the signing key was
//   created that long ago and no successor is scheduled, a normal rotate()
//   runs (under the lock, after rereading the file, so that of several
//   instances only the first rotates).

import type { Keyset, StoredKey } from "./keyset.js";

/** Clock skew between us and the verifiers that we tolerate after a key's last token expires. */
export const CLOCK_SKEW_SECONDS = 60;
const DAY_SECONDS = 86_400;

export interface SchedulePolicy {
  /** How long a new key is published before it signs. */
  readonly publishLeadSeconds: number;
  /** The longest lifetime (exp - iat) of a token we sign. */
  readonly maxTokenLifetimeSeconds: number;
  /** 0: never rotate automatically. */
  readonly rotateAfterDays: number;
}

export interface RotateOptions {
  /** The new key signs at once instead of after publishLeadSeconds (compromise response). */
  readonly immediate?: boolean;
  /** Drop the previous keys from the JWKS and the file at once; implies immediate. */
  readonly revokePrevious?: boolean;
}

export type KeyState = "next" | "signing" | "retiring" | "removed";

export function isPublished(key: StoredKey, now: number): boolean {
  return key.removeAt === undefined || now < key.removeAt;
}

function notRetired(key: StoredKey, now: number): boolean {
  return key.retiresAt === undefined || now < key.retiresAt;
}

/**
 * The key that signs at `now` (seconds): the published key whose window holds
 * now, the latest activated if several do. When none does, because this
 * host's clock is behind the one that scheduled the keys, the key due to sign
 * next: it is already published, and refusing to sign would be an outage.
 */
export function signingKeyAt(keys: readonly StoredKey[], now: number): StoredKey | undefined {
  let active: StoredKey | undefined;
  let upcoming: StoredKey | undefined;
  for (const key of keys) {
    if (!isPublished(key, now) || !notRetired(key, now)) continue;
    if (key.activatesAt <= now) {
      if (active === undefined || key.activatesAt > active.activatesAt || (key.activatesAt === active.activatesAt && key.createdAt > active.createdAt))
        active = key;
    } else if (upcoming === undefined || key.activatesAt < upcoming.activatesAt) {
      upcoming = key;
    }
  }
  return active ?? upcoming;
}

export function keyStateAt(key: StoredKey, now: number, signing: StoredKey | undefined): KeyState {
  if (!isPublished(key, now)) return "removed";
  if (key === signing || key.kid === signing?.kid) return "signing";
  // A key retired before it ever signed (an immediate rotation overtook it) is on its way out, not next.
  return key.activatesAt > now && notRetired(key, key.activatesAt) ? "next" : "retiring";
}

/** A key's place in the schedule, without key material: what `tokenward keys list` shows. */
export interface KeyInfo {
  kid: string;
  alg: StoredKey["alg"];
  state: KeyState;
  createdAt: number;
  activatesAt: number;
  retiresAt: number | undefined;
  removeAt: number | undefined;
}

export function describeKeys(keys: readonly StoredKey[], now: number): KeyInfo[] {
  const signing = signingKeyAt(keys, now);
  return keys.map((key) => ({
    kid: key.kid,
    alg: key.alg,
    state: keyStateAt(key, now, signing),
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    retiresAt: key.retiresAt,
    removeAt: key.removeAt,
  }));
}

function removeAfter(retiresAt: number, policy: SchedulePolicy): number {
  return retiresAt + policy.maxTokenLifetimeSeconds + CLOCK_SKEW_SECONDS;
}

/** Drops the keys past their removeAt; returns the same keyset when none is. */
export function pruneKeyset(keyset: Keyset, now: number): Keyset {
  const keys = keyset.keys.filter((key) => isPublished(key, now));
  return keys.length === keyset.keys.length ? keyset : { version: keyset.version, keys };
}

/**
 * Adds `fresh` (a key from generateSigningKey) to the schedule at `now`
 * (seconds): it signs from now + publishLeadSeconds, or at once when
 * immediate; every key that would still sign then is retired at that moment.
 */
export function rotateKeyset(keyset: Keyset, fresh: StoredKey, now: number, policy: SchedulePolicy, options: RotateOptions = {}): Keyset {
  const at = Math.floor(now);
  const immediate = options.immediate === true || options.revokePrevious === true;
  const activatesAt = immediate ? at : at + Math.ceil(policy.publishLeadSeconds);
  const next: StoredKey = { kid: fresh.kid, alg: fresh.alg, createdAt: at, activatesAt, privateJwk: fresh.privateJwk };
  if (options.revokePrevious === true) return { version: keyset.version, keys: [next] };
  const previous = pruneKeyset(keyset, at).keys.map((key) =>
    notRetired(key, activatesAt) ? { ...key, retiresAt: activatesAt, removeAt: removeAfter(activatesAt, policy) } : key,
  );
  return { version: keyset.version, keys: [...previous.filter((key) => key.kid !== fresh.kid), next] };
}

/** A key that may sign is scheduled at or after `now` (none: the keyset needs an immediate rotation). */
export function hasSigningKey(keyset: Keyset, now: number): boolean {
  return keyset.keys.some((key) => isPublished(key, now) && notRetired(key, now));
}

/** When automatic rotation is due (seconds), or undefined when it is off or a successor is already scheduled. */
export function rotationDueAt(keyset: Keyset, now: number, policy: SchedulePolicy): number | undefined {
  if (!(policy.rotateAfterDays > 0)) return undefined;
  const signing = signingKeyAt(keyset.keys, now);
  if (signing === undefined) return undefined;
  const successor = keyset.keys.some((key) => key !== signing && key.activatesAt > now && isPublished(key, now) && notRetired(key, now));
  if (successor) return undefined;
  return signing.createdAt + policy.rotateAfterDays * DAY_SECONDS;
}

/** The first time after `now` at which the published set changes on schedule: a removeAt, or an automatic rotation. */
export function nextPublishedChangeAt(keyset: Keyset, now: number, policy: SchedulePolicy): number {
  let next = Number.POSITIVE_INFINITY;
  for (const key of keyset.keys) if (key.removeAt !== undefined && key.removeAt > now && key.removeAt < next) next = key.removeAt;
  const due = rotationDueAt(keyset, now, policy);
  if (due !== undefined && due < next) next = due;
  return next;
}

/** The first time after `now` at which anything in the schedule happens (which key signs, or what is published). */
export function nextBoundaryAt(keys: readonly StoredKey[], now: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const key of keys) {
    for (const time of [key.activatesAt, key.retiresAt, key.removeAt]) if (time !== undefined && time > now && time < next) next = time;
  }
  return next;
}
