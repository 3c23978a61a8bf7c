// The issuer's current signing key, read from its key store without writing
// to it: a running issuer owns the store (rotation, pruning, the lock), and a
// token minted for a test must not change what it serves. Signs as
// key-manager.ts does, to the byte: the same header order (alg, kid, then
// the caller's members, alg and kid not overridable) and the same node:crypto
// signer, checked against jose when the key is imported.

import { KeyStoreError } from "../../keys/errors.js";
import { importSigningKey } from "../../keys/import-key.js";
import { keysetPath, readKeyset } from "../../keys/key-store.js";
import { compactJws } from "../../keys/node-signer.js";
import { signingKeyAt } from "../../keys/schedule.js";
import type { KeyManager, PublicJwks } from "../../keys/types.js";
import { MintError } from "./mint-error.js";

export async function openReadOnlyKeys(directory: string, configFile: string, nowMs: number): Promise<KeyManager> {
  const file = await readKeyset(directory);
  if (file === undefined) {
    throw new MintError(
      `no signing keys at ${keysetPath(directory)} (keys.directory of ${configFile}); create them with \`tokenward keys generate --config ${configFile}\`, or start the issuer once (\`tokenward serve --config ${configFile}\`)`,
    );
  }
  const now = nowMs / 1000;
  const stored = signingKeyAt(file.keyset.keys, now);
  if (stored === undefined) {
    throw new KeyStoreError(
      "no_signing_key",
      file.file,
      `${file.file} holds no key that may sign now; run \`tokenward keys rotate --immediate --config ${configFile}\`, or check this host's clock`,
    );
  }
  const key = await importSigningKey(stored, file.file);
  // Only the signing key is imported: minting reads nothing else of the JWKS.
  const jwks: PublicJwks = { keys: [{ ...key.publicJwk }] };
  const { alg, kid } = stored;
  return {
    algorithm: alg,
    async sign(header, payload) {
      const encoded = Buffer.from(JSON.stringify(Object.assign({ alg, kid }, header, { alg, kid })), "utf8").toString("base64url");
      return compactJws(encoded, payload, key.signBytes);
    },
    jwks: () => jwks,
    jwksMaxAgeSeconds: () => 0,
    refresh: async () => {},
    close: async () => {},
  };
}
