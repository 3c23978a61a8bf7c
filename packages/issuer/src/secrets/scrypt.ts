import { scrypt as scryptCallback } from "node:crypto";
import type { ScryptParameters } from "./secret-hash-format.js";

/**
 * node:crypto scrypt with `maxmem` set from the parameters. Node's default
 * (32 MiB) is exactly 128·N·r for N = 2^15, r = 8, and OpenSSL also counts
 * 128·r·(p + 2) more bytes, so the default would refuse our own hashes.
 * Runs on the libuv thread pool: the event loop never blocks. The secret is
 * normalized to NFC first, as RFC 8265 §4.2 (OpaqueString) does, so the same
 * secret typed on two systems hashes the same.
 */
export function scrypt(secret: string, salt: Buffer, keyBytes: number, params: ScryptParameters): Promise<Buffer> {
  const N = 2 ** params.log2N;
  const maxmem = 128 * params.r * (N + params.p + 2) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(secret.normalize("NFC"), salt, keyBytes, { N, r: params.r, p: params.p, maxmem }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}
