// Private keys must be private to the user that runs the issuer, the way
// OpenSSH treats private key files: a key directory or key file that group
// or others may read or write is refused, not silently used or "fixed".

import type { Stats } from "node:fs";
import { KeyStoreError } from "./errors.js";

const GROUP_OR_OTHERS = 0o077;

export function assertPrivateDirectory(directory: string, stats: Stats): void {
  if (!stats.isDirectory()) {
    throw new KeyStoreError("insecure_permissions", directory, `${directory} is not a directory; point keys.directory (or --dir) at a directory of its own`);
  }
  if ((stats.mode & GROUP_OR_OTHERS) !== 0) {
    throw new KeyStoreError(
      "insecure_permissions",
      directory,
      `${directory} is accessible to other users (mode ${(stats.mode & 0o777).toString(8)}); private keys must be private: run \`chmod 700 ${directory}\``,
    );
  }
}

export function assertPrivateFile(file: string, stats: Stats): void {
  if (!stats.isFile()) {
    throw new KeyStoreError("insecure_permissions", file, `${file} is not a regular file (a symbolic link or a device?); replace it with the key file itself`);
  }
  if ((stats.mode & GROUP_OR_OTHERS) !== 0) {
    throw new KeyStoreError(
      "insecure_permissions",
      file,
      `${file} is accessible to other users (mode ${(stats.mode & 0o777).toString(8)}); private keys must be private: run \`chmod 600 ${file}\``,
    );
  }
}
