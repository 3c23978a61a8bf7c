// One writer at a time per key directory, across processes (two issuer
// instances, or `tokenward keys rotate` while a server runs): a lock file
// created with O_EXCL. A holder that died leaves its lock behind, so a lock
// older than `staleMs` is broken; the critical sections it guards are a read,
// a small change and an atomic write, far shorter than that.

import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ioError, KeyStoreError } from "./errors.js";

export const LOCK_FILE = "keyset.json.lock";

export interface LockOptions {
  /** A lock whose file is older than this (ms) is presumed abandoned. Default 30 s. */
  staleMs?: number;
  /** How long to wait for a live lock (ms). Default staleMs + 5 s, so an abandoned lock is always outlived. */
  timeoutMs?: number;
}

export interface HeldLock {
  /** Throws lock_lost when another process broke our lock as stale; call it right before writing. */
  assertHeld(): Promise<void>;
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readToken(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw ioError("read", file, error);
  }
}

async function tryCreate(file: string, token: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "wx", 0o600);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw ioError("create the lock file", file, error);
  }
  try {
    await handle.writeFile(token, "utf8");
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Moves an abandoned lock aside and deletes it. Renaming first means two
 * processes breaking the same stale lock cannot delete a fresh lock that a
 * third took in between: whoever renames a lock that is not the one it judged
 * stale puts it back.
 */
async function breakStale(file: string, judged: { ino: number; mtimeMs: number }): Promise<void> {
  const aside = `${file}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw ioError("remove the abandoned lock file", file, error);
  }
  try {
    const moved = await stat(aside);
    if (moved.ino !== judged.ino || moved.mtimeMs !== judged.mtimeMs) await link(aside, file).catch(() => {});
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** Runs `critical` while holding the directory's lock; the lock is released however it ends. */
export async function withLock<T>(directory: string, critical: (lock: HeldLock) => Promise<T>, options: LockOptions = {}): Promise<T> {
  const staleMs = options.staleMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? staleMs + 5_000;
  const file = join(directory, LOCK_FILE);
  const token = `${process.pid} ${randomBytes(12).toString("hex")}\n`;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!(await tryCreate(file, token))) {
    let current: Awaited<ReturnType<typeof stat>>;
    try {
      current = await stat(file);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") continue;
      throw ioError("inspect the lock file", file, error);
    }
    if (Date.now() - current.mtimeMs > staleMs) {
      await breakStale(file, { ino: Number(current.ino), mtimeMs: Number(current.mtimeMs) });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new KeyStoreError(
        "lock_timeout",
        file,
        `${file} is held by another process (waited ${Math.round(timeoutMs / 1000)} s); if no other tokenward server or \`tokenward keys\` command is using ${directory}, delete ${file} and retry`,
      );
    }
    // Jitter, so that waiting processes do not retry in lockstep.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  const acquiredAt = Date.now();
  const lock: HeldLock = {
    assertHeld: async () => {
      if (Date.now() - acquiredAt > staleMs || (await readToken(file)) !== token) {
        throw new KeyStoreError(
          "lock_lost",
          file,
          `${file}: another process took over the key store lock before this one finished; nothing was written, retry the operation`,
        );
      }
    },
  };
  try {
    return await critical(lock);
  } finally {
    if ((await readToken(file).catch(() => undefined)) === token) await unlink(file).catch(() => {});
  }
}
