import { readFile } from "node:fs/promises";

/** Exit codes of every command (CONTRACT.md): 0 valid, 1 invalid, 2 usage or configuration error. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<string>;
  readonly readFile: (path: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Colour and symbols only on a terminal. */
  readonly tty: boolean;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    readFile: (path) => readFile(path, "utf8"),
    env: process.env,
    tty: process.stdout.isTTY === true,
  };
}

/** The token argument: `-` reads standard input; surrounding whitespace (a trailing newline from echo) is dropped. */
export async function readToken(io: Io, argument: string | undefined): Promise<string> {
  if (argument === undefined) throw new UsageError("give the token as the first argument, or - to read it from standard input");
  const raw = argument === "-" ? await io.stdin() : argument;
  const token = raw.trim();
  if (token === "") throw new UsageError(argument === "-" ? "standard input was empty" : "the token argument is empty");
  return token;
}

export function isoTime(seconds: unknown): string | undefined {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
