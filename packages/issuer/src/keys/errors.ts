// Why the key store refused to load or write. Every message names the file
// (or directory) involved and what the operator should do about it; none ever
// carries key material.

export type KeyStoreErrorCode =
  /** The key directory or a key file is readable or writable by group or others. */
  | "insecure_permissions"
  /** keyset.json is not JSON, not the shape tokenward writes, or too large. */
  | "corrupt_keyset"
  /** A stored JWK is not a private key of its declared algorithm, or does not match its kid. */
  | "invalid_key"
  /** Another process held the lock for longer than we were willing to wait. */
  | "lock_timeout"
  /** Our lock was broken (as stale) by another process before we could write. */
  | "lock_lost"
  /** `generate` found keys already there. */
  | "store_exists"
  /** No keyset.json where one is needed. */
  | "store_missing"
  /** The keyset holds no key that may sign now. */
  | "no_signing_key"
  /** A rotation would keep more keys than the store holds. */
  | "too_many_keys"
  /** The file system refused (EACCES, ENOSPC, EROFS...). */
  | "io_error";

export class KeyStoreError extends Error {
  override readonly name = "KeyStoreError";
  readonly code: KeyStoreErrorCode;
  /** The file or directory the error is about. */
  readonly path: string;

  constructor(code: KeyStoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }

  static is(value: unknown): value is KeyStoreError {
    return value instanceof KeyStoreError;
  }
}

/** Wraps a file-system error into a KeyStoreError that says what we were doing and where. */
export function ioError(action: string, path: string, error: unknown): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const fix =
    code === "EACCES" || code === "EPERM"
      ? "; run tokenward as the user that owns the key directory, or fix its ownership"
      : code === "ENOSPC"
        ? "; free some disk space"
        : code === "EROFS"
          ? "; the key directory must be on a writable file system"
          : "";
  return new KeyStoreError("io_error", path, `cannot ${action} ${path} (${code ?? String(error)})${fix}`, { cause: error });
}
