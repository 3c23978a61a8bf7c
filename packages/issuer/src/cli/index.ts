// The issuer's commands, run by the `tokenward` command line
// (packages/tokenward/src/cli/run.ts loads this entry on demand).
import { keysCommand } from "./keys.js";
import { mintCommand } from "./mint.js";
import { secretCommand } from "./secret.js";
import { serveCommand } from "./serve.js";
import type { IssuerCommand } from "./types.js";

export type { CommandIo, IssuerCommand } from "./types.js";

export const commands: Readonly<Record<string, IssuerCommand>> = {
  serve: serveCommand,
  keys: keysCommand,
  secret: secretCommand,
  mint: mintCommand,
};
