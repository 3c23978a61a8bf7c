// Replaces a file so that readers see the old content or the new, never a
// part: write a temporary file beside it (same directory, so rename stays on
// one file system), fsync it, rename it over the target, fsync the directory
// so the rename itself survives a crash.

import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ioError } from "./errors.js";

export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const directory = dirname(file);
  const temporary = join(directory, `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    // "wx": O_CREAT | O_EXCL, so a planted file or link at the temporary name is never followed.
    const handle = await open(temporary, "wx", mode);
    try {
      // The process umask may have cleared bits of `mode`; never added any, but be exact.
      await handle.chmod(mode);
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => {});
    throw ioError("write", file, error);
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the data itself is already synced.
  }
}
