// `tokenward secret hash`: turns a client secret into the `secretHash` the
// issuer configuration holds. Plain secrets never go into configuration.

import { parseArgs } from "node:util";
import { generateSecret } from "../secrets/generate-secret.js";
import { hashSecret } from "../secrets/hash.js";
import type { CommandIo, IssuerCommand } from "./types.js";

const USAGE = `Usage: tokenward secret hash [SECRET | -] [--generate] [--json]

Prints the secretHash of a client secret, for a client's "secretHash" in the
issuer configuration (scrypt, N = 2^15, r = 8, p = 1, a fresh random salt).

  SECRET       the secret; prefer - or --generate: an argument stays in
               your shell history and is visible to other users in ps
  -            read the secret from standard input (one trailing newline is dropped)
  --generate   make a strong random secret (256 bits) and print it with its hash
  --json       print {"secretHash": "..."} (with "secret" when generated)

Exit status: 0 done, 2 usage error.
`;

// A secret is a line of text; anything longer is a wrong file piped in.
const MAX_STDIN_BYTES = 64 * 1024;
const SHORT_SECRET = 16;

class UsageError extends Error {}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`standard input is over ${MAX_STDIN_BYTES} bytes; a secret is a single line`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function secretFrom(argument: string, io: CommandIo): Promise<string> {
  if (argument !== "-") return argument;
  const text = await (io.stdin ?? readProcessStdin)();
  if (text.length > MAX_STDIN_BYTES) throw new UsageError(`standard input is over ${MAX_STDIN_BYTES} bytes; a secret is a single line`);
  // Only the line ending echo or a file adds: other whitespace may be part of the secret.
  const secret = text.replace(/\r?\n$/, "");
  if (secret.includes("\n")) throw new UsageError("standard input holds more than one line; give one secret");
  return secret;
}

async function hashCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { generate: { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one secret at a time; got ${positionals.length} arguments (quote a secret that contains spaces)`);
  const argument = positionals[0];
  if (values.generate === true && argument !== undefined) throw new UsageError("give either a SECRET (or -) or --generate, not both");
  if (values.generate !== true && argument === undefined)
    throw new UsageError("give the secret as an argument, - to read it from standard input, or --generate");

  const generated = values.generate === true;
  const secret = generated ? generateSecret() : await secretFrom(argument ?? "-", io);
  if (secret === "") throw new UsageError(argument === "-" ? "standard input was empty" : "the secret is empty");
  if (!generated && argument !== "-") io.stderr("warning: a secret given as an argument stays in your shell history; prefer - or --generate\n");
  if (!generated && secret.length < SHORT_SECRET)
    io.stderr(`warning: the secret has ${secret.length} characters; use at least ${SHORT_SECRET} random ones (--generate makes 43)\n`);

  const secretHash = await hashSecret(secret);
  if (values.json === true) {
    io.stdout(`${JSON.stringify(generated ? { secret, secretHash } : { secretHash })}\n`);
  } else if (generated) {
    io.stdout(`secret:     ${secret}\nsecretHash: ${secretHash}\n`);
    io.stderr('Give the secret to the client (it is shown only now); put the secretHash in the client\'s "secretHash".\n');
  } else {
    io.stdout(`${secretHash}\n`);
  }
  return 0;
}

export const secretCommand: IssuerCommand = {
  summary: "hash a client secret for the issuer configuration",
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "--help" || sub === "-h" || sub === "help") {
      io.stdout(USAGE);
      return 0;
    }
    try {
      if (sub !== "hash")
        throw new UsageError(sub === undefined ? "name a subcommand: hash" : `unknown subcommand ${JSON.stringify(sub)}; the only one is hash`);
      return await hashCommand(rest, io);
    } catch (error) {
      const parseError = error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true;
      if (error instanceof UsageError || parseError) {
        io.stderr(`tokenward secret: ${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
      throw error;
    }
  },
};
