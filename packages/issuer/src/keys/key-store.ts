// The key directory on disk: keyset.json (private JWKs and their schedule,
// mode 0600) in a directory of mode 0700, read with the permission and shape
// checks, written only under the directory lock and only atomically.

import { createHash } from "node:crypto";
import { constants, type Stats } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ioError, KeyStoreError } from "./errors.js";
import { corruptKeyset, KEYSET_FILE, type Keyset, MAX_KEYS, MAX_KEYSET_BYTES, parseKeyset, serializeKeyset } from "./keyset.js";
import { type LockOptions, withLock } from "./lock.js";
import { assertPrivateDirectory, assertPrivateFile } from "./permissions.js";

export const DEFAULT_KEY_DIRECTORY = ".tokenward/keys";

/** What a reader remembers of the file to notice, cheaply, that it changed. */
export interface KeysetStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  /** SHA-256 of the content: a rewrite with the same keys is not a change. */
  readonly hash: string;
}

export interface KeysetFile {
  readonly file: string;
  readonly keyset: Keyset;
  readonly stamp: KeysetStamp;
}

export function keysetPath(directory: string): string {
  return join(directory, KEYSET_FILE);
}

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Checks the directory is private; creates it (mode 0700, with a .gitignore so keys are never committed) when absent. */
export async function ensureKeyDirectory(directory: string): Promise<void> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError("create the key directory", directory, error);
  }
  await checkDirectory(directory);
  const ignore = join(directory, ".gitignore");
  try {
    const handle = await open(ignore, "wx", 0o600);
    try {
      await handle.writeFile("# Private signing keys: never commit them.\n*\n", "utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw ioError("write", ignore, error);
  }
}

async function checkDirectory(directory: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(directory);
  } catch (error) {
    throw ioError("read the key directory", directory, error);
  }
  assertPrivateDirectory(directory, stats);
}

/** The file's stamp without reading it, or undefined when there is no file. */
export async function statKeyset(directory: string): Promise<Omit<KeysetStamp, "hash"> | undefined> {
  const file = keysetPath(directory);
  try {
    const stats = await stat(file);
    return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, mode: stats.mode };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw ioError("read", file, error);
  }
}

export function sameFile(a: Omit<KeysetStamp, "hash">, b: Omit<KeysetStamp, "hash">): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.mode === b.mode;
}

/**
 * Reads and checks keyset.json: directory and file private to us, a regular
 * file (never a link followed), the shape tokenward writes. Undefined when
 * the directory or the file does not exist yet.
 */
export async function readKeyset(directory: string): Promise<KeysetFile | undefined> {
  const file = keysetPath(directory);
  let directoryStats: Stats;
  try {
    directoryStats = await stat(directory);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw ioError("read the key directory", directory, error);
  }
  assertPrivateDirectory(directory, directoryStats);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    if (errnoCode(error) === "ELOOP") {
      throw new KeyStoreError("insecure_permissions", file, `${file} is a symbolic link; replace it with the key file itself (mode 0600)`);
    }
    throw ioError("read", file, error);
  }
  try {
    const stats = await handle.stat();
    assertPrivateFile(file, stats);
    if (stats.size > MAX_KEYSET_BYTES) throw corruptKeyset(file, `the file is larger than ${MAX_KEYSET_BYTES} bytes`);
    const bytes = await handle.readFile();
    const text = bytes.toString("utf8");
    const keyset = parseKeyset(text, file);
    const hash = createHash("sha256").update(bytes).digest("hex");
    return { file, keyset, stamp: { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, mode: stats.mode, hash } };
  } catch (error) {
    throw ioError("read", file, error);
  } finally {
    await handle.close();
  }
}

/**
 * Read-modify-write under the directory lock: `change` gets the keyset as it
 * is on disk now (undefined when there is none) and returns the keyset to
 * write, or the same object to write nothing. Creates the directory if needed.
 */
export async function updateKeyset(
  directory: string,
  change: (current: Keyset | undefined) => Keyset | Promise<Keyset>,
  lockOptions?: LockOptions,
): Promise<KeysetFile> {
  await ensureKeyDirectory(directory);
  const file = keysetPath(directory);
  return withLock(
    directory,
    async (lock) => {
      const current = await readKeyset(directory);
      const next = await change(current?.keyset);
      if (current !== undefined && next === current.keyset) return current;
      if (next.keys.length === 0) throw new KeyStoreError("no_signing_key", file, `${file}: refusing to write a keyset without keys`);
      if (next.keys.length > MAX_KEYS) {
        throw new KeyStoreError(
          "too_many_keys",
          file,
          `${file} would hold ${next.keys.length} keys, more than ${MAX_KEYS}; wait until retired keys reach their removeAt (\`tokenward keys list\`), or rotate with --revoke-previous`,
        );
      }
      await lock.assertHeld();
      await writeFileAtomic(file, serializeKeyset(next), 0o600);
      const written = await readKeyset(directory);
      if (written === undefined)
        throw new KeyStoreError("store_missing", file, `${file} vanished right after it was written; is another program deleting files in ${directory}?`);
      return written;
    },
    lockOptions,
  );
}
