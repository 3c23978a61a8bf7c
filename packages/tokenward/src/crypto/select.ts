import { ConfigError } from "../errors/config-error.js";
import type { CryptoBackend } from "./backend.js";
import { createNodeBackend } from "./node.js";
import { createWebCryptoBackend } from "./webcrypto.js";

export type CryptoChoice = "auto" | "node" | "webcrypto";

let node: CryptoBackend | undefined | null = null;
let web: CryptoBackend | undefined;

/** node:crypto where the runtime has it, WebCrypto through `jose` everywhere else. */
export function selectBackend(choice: CryptoChoice = "auto"): CryptoBackend {
  if (choice !== "webcrypto") {
    if (node === null) node = createNodeBackend();
    if (node !== undefined) return node;
    if (choice === "node") throw new ConfigError("crypto", 'node:crypto is not available on this runtime; use "auto" or "webcrypto"');
  }
  web ??= createWebCryptoBackend();
  return web;
}
