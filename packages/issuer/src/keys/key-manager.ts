// createKeyManager: the issuer's signing keys, kept in the on-disk key store
// and run on the rotation schedule (schedule.ts). Signing is the token
// endpoint's hot path: each key is imported once, the signing key and the
// JWKS are worked out once per schedule period, and a call to sign() does
// only the JWS encoding and the signature itself.

import { resolve } from "node:path";
import type { IssuerEvent, SigningAlgorithm } from "../config/types.js";
import { isSigningAlgorithm, SIGNING_ALGORITHMS } from "./algorithms.js";
import { KeyStoreError } from "./errors.js";
import { generateSigningKey } from "./generate-key.js";
import { type ImportedKey, importSigningKey } from "./import-key.js";
import { ensureKeyDirectory, type KeysetFile, type KeysetStamp, keysetPath, readKeyset, sameFile, statKeyset, updateKeyset } from "./key-store.js";
import type { Keyset } from "./keyset.js";
import type { LockOptions } from "./lock.js";
import { compactJws } from "./node-signer.js";
import type { PublicJwk } from "./public-jwk.js";
import {
  describeKeys,
  hasSigningKey,
  isPublished,
  type KeyInfo,
  nextBoundaryAt,
  nextPublishedChangeAt,
  pruneKeyset,
  type RotateOptions,
  rotateKeyset,
  rotationDueAt,
  type SchedulePolicy,
  signingKeyAt,
} from "./schedule.js";
import type { KeyManager, PublicJwks } from "./types.js";

export type { KeyInfo } from "./schedule.js";

export interface KeyManagerOptions {
  /** The key directory; relative paths resolve against baseDir. */
  directory: string;
  /** Default: the process's working directory. */
  baseDir?: string;
  /** The algorithm of keys created from now on (the first key, and every rotation). */
  algorithm: SigningAlgorithm;
  /** Rotate when the signing key is older than this; 0 never rotates automatically. */
  rotateAfterDays: number;
  /** How long a new key is published before it signs. */
  publishLeadSeconds: number;
  /** The most a JWKS answer may be cached. */
  jwksMaxAgeSeconds: number;
  /** The longest token lifetime: retired keys stay published this long (plus clock skew). */
  maxTokenLifetimeSeconds: number;
  /** The clock in milliseconds since the epoch (tests). */
  now?: () => number;
  /** How often the file is checked for changes and the schedule applied; default 30 s, 0 turns the timer off. */
  reloadIntervalMs?: number;
  /** key_rotated events (the issuer's onEvent). */
  onEvent?: (event: IssuerEvent) => void;
  /** Failures of the background refresh; the last good keys stay in use. Default: a process warning, once per distinct failure. */
  onError?: (error: Error) => void;
  /** The directory lock's timings (tests). */
  lock?: LockOptions;
}

export interface LocalKeyManager extends KeyManager {
  /** Where keyset.json lives (absolute). */
  readonly directory: string;
  /** Creates a key and schedules it (see schedule.ts); resolves with the new key's place in the schedule. */
  rotate(options?: RotateOptions): Promise<KeyInfo>;
  /** A published public key by kid, for verifying our own tokens (introspection); undefined once removed. */
  publicKey(kid: string): PublicJwk | undefined;
  /** Every key in the store and its state now. */
  list(): KeyInfo[];
}

interface View {
  /** The view holds for now in [fromMs, untilMs). */
  readonly fromMs: number;
  readonly untilMs: number;
  readonly signing: ImportedKey | undefined;
  readonly jwks: PublicJwks;
  readonly byKid: ReadonlyMap<string, PublicJwk>;
}

function checkNumber(name: string, value: unknown, minimum: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < minimum) {
    throw new RangeError(`createKeyManager: ${name} must be a number, ${minimum} or more; got ${String(value)}`);
  }
  return value;
}

/** Imports every key of a keyset, reusing the already imported ones whose JWK did not change. */
async function importAll(file: KeysetFile, previous: ReadonlyMap<string, ImportedKey>): Promise<Map<string, ImportedKey>> {
  const imported = await Promise.all(
    file.keyset.keys.map(async (stored) => {
      const known = previous.get(stored.kid);
      if (known !== undefined && JSON.stringify(known.stored.privateJwk) === JSON.stringify(stored.privateJwk)) return { ...known, stored };
      return importSigningKey(stored, file.file);
    }),
  );
  return new Map(imported.map((key) => [key.stored.kid, key]));
}

class DirectoryKeyManager implements LocalKeyManager {
  readonly directory: string;
  readonly #file: string;
  readonly #options: KeyManagerOptions;
  readonly #policy: SchedulePolicy;
  readonly #maxAge: number;
  readonly #now: () => number;
  readonly #headers = new Map<string, string>();
  #keyset: Keyset = { version: 1, keys: [] };
  #stamp: KeysetStamp | undefined;
  #imported = new Map<string, ImportedKey>();
  #view: View = { fromMs: 0, untilMs: 0, signing: undefined, jwks: Object.freeze({ keys: [] }), byKid: new Map() };
  #timer: ReturnType<typeof setInterval> | undefined;
  #refreshing: Promise<void> | undefined;
  /** See #serial. */
  #queue: Promise<unknown> = Promise.resolve();
  #lastError: string | undefined;

  constructor(options: KeyManagerOptions) {
    if (typeof options.directory !== "string" || options.directory === "") throw new TypeError("createKeyManager: directory must be a non-empty path");
    if (!isSigningAlgorithm(options.algorithm)) {
      throw new RangeError(`createKeyManager: algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}; got ${String(options.algorithm)}`);
    }
    this.#policy = {
      rotateAfterDays: checkNumber("rotateAfterDays", options.rotateAfterDays, 0),
      publishLeadSeconds: checkNumber("publishLeadSeconds", options.publishLeadSeconds, 0),
      maxTokenLifetimeSeconds: checkNumber("maxTokenLifetimeSeconds", options.maxTokenLifetimeSeconds, 1),
    };
    this.#maxAge = checkNumber("jwksMaxAgeSeconds", options.jwksMaxAgeSeconds, 0);
    if (options.reloadIntervalMs !== undefined) checkNumber("reloadIntervalMs", options.reloadIntervalMs, 0);
    this.directory = resolve(options.baseDir ?? process.cwd(), options.directory);
    this.#file = keysetPath(this.directory);
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get algorithm(): SigningAlgorithm {
    return this.#current(this.#now()).signing?.stored.alg ?? this.#options.algorithm;
  }

  async start(): Promise<void> {
    await ensureKeyDirectory(this.directory);
    const existing = await readKeyset(this.directory);
    if (existing === undefined) await this.#write(async (current) => (await this.#housekeep(current, true)).keyset, true);
    else await this.#adopt(existing);
    await this.#housekeepIfNeeded();
    const interval = this.#options.reloadIntervalMs ?? 30_000;
    if (interval > 0) {
      this.#timer = setInterval(() => {
        this.refresh().catch((error: unknown) => this.#report(error));
      }, interval);
      // The timer must never be what keeps a process alive.
      this.#timer.unref();
    }
  }

  async sign(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    const key = this.#current(this.#now()).signing;
    if (key === undefined) {
      throw new KeyStoreError(
        "no_signing_key",
        this.#file,
        `${this.#file} holds no key that may sign now; run \`tokenward keys rotate --immediate\`, or check that this host's clock is right`,
      );
    }
    return compactJws(this.#encodedHeader(key, header), payload, key.signBytes);
  }

  /** The protected header, base64url-encoded once per key and header shape: tokens of one issuer repeat it. */
  #encodedHeader(key: ImportedKey, header: Record<string, unknown>): string {
    const shape = JSON.stringify(header);
    const cacheKey = `${key.stored.kid}\u0000${shape}`;
    let encoded = this.#headers.get(cacheKey);
    if (encoded === undefined) {
      const { alg, kid } = key.stored;
      // alg first, as JWS headers usually are; the caller cannot override alg or kid.
      encoded = Buffer.from(JSON.stringify(Object.assign({ alg, kid }, header, { alg, kid })), "utf8").toString("base64url");
      // Bounded: a few header shapes per key in practice; start over if a caller varies them.
      if (this.#headers.size >= 64) this.#headers.clear();
      this.#headers.set(cacheKey, encoded);
    }
    return encoded;
  }

  jwks(): PublicJwks {
    return this.#current(this.#now()).jwks;
  }

  publicKey(kid: string): PublicJwk | undefined {
    return this.#current(this.#now()).byKid.get(kid);
  }

  jwksMaxAgeSeconds(): number {
    const now = this.#now() / 1000;
    const untilChange = nextPublishedChangeAt(this.#keyset, now, this.#policy) - now;
    return Math.max(0, Math.floor(Math.min(this.#maxAge, this.#policy.publishLeadSeconds, untilChange)));
  }

  list(): KeyInfo[] {
    return describeKeys(this.#keyset.keys, this.#now() / 1000);
  }

  refresh(): Promise<void> {
    // Single flight: the timer and explicit callers share one refresh.
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async rotate(options: RotateOptions = {}): Promise<KeyInfo> {
    // Key generation (RSA takes a while) happens before taking the lock.
    const at = Math.floor(this.#now() / 1000);
    const fresh = await generateSigningKey(this.#options.algorithm, at);
    await this.#write((current) => rotateKeyset(current ?? { version: 1, keys: [] }, fresh, this.#now() / 1000, this.#policy, options), false);
    const info = this.list().find((key) => key.kid === fresh.kid);
    if (info === undefined)
      throw new KeyStoreError("store_missing", this.#file, `${this.#file}: the new key ${fresh.kid} is missing right after rotation; retry`);
    this.#emitRotated(info, options.revokePrevious === true ? "revoked previous keys" : options.immediate === true ? "immediate" : "scheduled");
    return info;
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#refreshing?.catch(() => {});
    await this.#queue;
  }

  async #refresh(): Promise<void> {
    await this.#serial(() => this.#reload());
    await this.#housekeepIfNeeded();
    this.#lastError = undefined;
  }

  /** Adopts keyset.json when it changed on disk: a cheap stat first, the content hash before re-importing anything. */
  async #reload(): Promise<void> {
    const missing = () =>
      new KeyStoreError(
        "store_missing",
        this.#file,
        `${this.#file} has disappeared; the issuer keeps signing with the keys it loaded. Restore the file, or run \`tokenward keys generate\` to start over with new keys`,
      );
    const seen = await statKeyset(this.directory);
    if (seen === undefined) throw missing();
    if (this.#stamp !== undefined && sameFile(seen, this.#stamp)) return;
    const file = await readKeyset(this.directory);
    if (file === undefined) throw missing();
    if (file.stamp.hash === this.#stamp?.hash) this.#stamp = file.stamp;
    else await this.#adopt(file);
  }

  /** Prunes, rotates when due, or rescues a keyset without a signing key: only when needed, as the lock costs file system calls. */
  async #housekeepIfNeeded(): Promise<void> {
    const now = this.#now() / 1000;
    const due = rotationDueAt(this.#keyset, now, this.#policy);
    const needed = !hasSigningKey(this.#keyset, now) || (due !== undefined && due <= now) || pruneKeyset(this.#keyset, now) !== this.#keyset;
    if (!needed) return;
    let rotated: { kid: string; why: string } | undefined;
    await this.#write(async (current) => {
      const outcome = await this.#housekeep(current, false);
      rotated = outcome.rotated;
      return outcome.keyset;
    }, false);
    const info = rotated === undefined ? undefined : this.list().find((key) => key.kid === rotated?.kid);
    if (info !== undefined && rotated !== undefined) this.#emitRotated(info, rotated.why);
  }

  /** Under the lock, on the keyset as it is on disk now: another instance may have done the work already. */
  async #housekeep(current: Keyset | undefined, creating: boolean): Promise<{ keyset: Keyset; rotated?: { kid: string; why: string } }> {
    const now = this.#now() / 1000;
    if (current === undefined && !creating) {
      throw new KeyStoreError("store_missing", this.#file, `${this.#file} has disappeared; restore it, or run \`tokenward keys generate\``);
    }
    const start = current ?? { version: 1 as const, keys: [] };
    const pruned = pruneKeyset(start, now);
    const due = rotationDueAt(pruned, now, this.#policy);
    const rescue = !hasSigningKey(pruned, now);
    if (!rescue && (due === undefined || due > now)) return { keyset: pruned };
    const fresh = await generateSigningKey(this.#options.algorithm, Math.floor(now));
    const keyset = rotateKeyset(pruned, fresh, now, this.#policy, { immediate: rescue });
    if (current === undefined) return { keyset };
    return { keyset, rotated: { kid: fresh.kid, why: rescue ? "no key could sign" : "automatic" } };
  }

  /**
   * Runs reloads and writes of this manager one after another, so that an
   * older keyset is never adopted over a newer one (a refresh that read the
   * file just before an immediate rotation wrote it, say).
   */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {});
    return run;
  }

  #write(change: (current: Keyset | undefined) => Keyset | Promise<Keyset>, creating: boolean): Promise<void> {
    return this.#serial(async () => {
      const file = await updateKeyset(this.directory, change, this.#options.lock);
      if (creating || file.stamp.hash !== this.#stamp?.hash) await this.#adopt(file);
    });
  }

  async #adopt(file: KeysetFile): Promise<void> {
    const imported = await importAll(file, this.#imported);
    this.#imported = imported;
    this.#keyset = file.keyset;
    this.#stamp = file.stamp;
    this.#view = this.#buildView(this.#now(), this.#view);
  }

  #current(now: number): View {
    if (now < this.#view.fromMs || now >= this.#view.untilMs) this.#view = this.#buildView(now, this.#view);
    return this.#view;
  }

  #buildView(nowMs: number, previous: View): View {
    const now = nowMs / 1000;
    const keys = this.#keyset.keys;
    const signingStored = signingKeyAt(keys, now);
    const signing = signingStored === undefined ? undefined : this.#imported.get(signingStored.kid);
    const published: PublicJwk[] = [];
    for (const key of keys) {
      const jwk = this.#imported.get(key.kid)?.publicJwk;
      if (jwk !== undefined && isPublished(key, now)) published.push(jwk);
    }
    // The JWKS object is rebuilt only when the published set changes, so callers may cache what they derive from it.
    const unchanged = published.length === previous.jwks.keys.length && published.every((jwk, index) => previous.jwks.keys[index] === jwk);
    const jwks = unchanged ? previous.jwks : Object.freeze({ keys: Object.freeze(published) as PublicJwk[] });
    const byKid = unchanged ? previous.byKid : new Map(published.map((jwk) => [jwk.kid, jwk]));
    return { fromMs: nowMs, untilMs: nextBoundaryAt(keys, now) * 1000, signing, jwks, byKid };
  }

  #emitRotated(info: KeyInfo, why: string): void {
    const when = new Date(info.activatesAt * 1000).toISOString();
    try {
      this.#options.onEvent?.({ type: "key_rotated", detail: `new ${info.alg} key ${info.kid} (${why}); it signs from ${when}` });
    } catch {
      // An observer's failure must not turn a completed rotation into an error.
    }
  }

  #report(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    // One report per distinct failure: a broken file should not flood the log every interval.
    if (failure.message === this.#lastError) return;
    this.#lastError = failure.message;
    try {
      if (this.#options.onError !== undefined) this.#options.onError(failure);
      else process.emitWarning(failure.message, { code: "TOKENWARD_KEYS" });
    } catch {
      // Runs in a timer: a throwing handler must not take the process down.
    }
  }
}

/**
 * Opens the key store in `options.directory` (creating it, with one key, on
 * first use), applies the schedule, and keeps following the file.
 */
export async function createKeyManager(options: KeyManagerOptions): Promise<LocalKeyManager> {
  const manager = new DirectoryKeyManager(options);
  await manager.start();
  return manager;
}
