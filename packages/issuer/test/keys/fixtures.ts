// Shared by the key tests: a fresh private temporary directory per test, a
// fake clock, and managers built on them with small, readable settings.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { SigningAlgorithm } from "../../src/config/types.js";
import { createKeyManager, type KeyManagerOptions, type LocalKeyManager } from "../../src/keys/key-manager.js";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temporary directory, removed after the test; keys go in <dir>/keys. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tokenward-keys-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A settable clock in milliseconds, starting at a round second. */
export function fakeClock(startSeconds = 1_750_000_000): {
  now: () => number;
  seconds: () => number;
  advance: (seconds: number) => void;
  set: (seconds: number) => void;
} {
  let ms = startSeconds * 1000;
  return {
    now: () => ms,
    seconds: () => ms / 1000,
    advance: (seconds) => {
      ms += seconds * 1000;
    },
    set: (seconds) => {
      ms = seconds * 1000;
    },
  };
}

export const LEAD = 600;
export const MAX_AGE = 300;
export const LIFETIME = 3600;
/** retiresAt to removeAt: the longest token lifetime plus the 60 s clock-skew margin. */
export const KEEP = LIFETIME + 60;

export async function manager(directory: string, options: Partial<KeyManagerOptions> & { algorithm?: SigningAlgorithm } = {}): Promise<LocalKeyManager> {
  const created = await createKeyManager({
    directory,
    algorithm: "ES256",
    rotateAfterDays: 0,
    publishLeadSeconds: LEAD,
    jwksMaxAgeSeconds: MAX_AGE,
    maxTokenLifetimeSeconds: LIFETIME,
    reloadIntervalMs: 0,
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

export const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] as const;
