import { ConfigError } from "../errors/config-error.js";
import { TokenError } from "../errors/token-error.js";
import { DECODE_USAGE, decodeCommand } from "./commands/decode.js";
import { VERIFY_USAGE, verifyCommand } from "./commands/verify.js";
import { EXIT, type Io, UsageError } from "./io.js";

const COMMANDS: Record<string, { run: (argv: readonly string[], io: Io) => Promise<number>; usage: string; summary: string }> = {
  verify: { run: verifyCommand, usage: VERIFY_USAGE, summary: "verify a token against trusted issuers" },
  decode: { run: decodeCommand, usage: DECODE_USAGE, summary: "print a token's header and payload, unverified" },
};

export const USAGE = `Usage: tokenward <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(8)} ${command.summary}`)
  .join("\n")}

Run "tokenward <command> --help" for a command's options.
`;

/** Runs the command line; returns the exit status. Every failure is explained, none is a stack trace. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error (exit 2), so explained on standard error (CONTRACT.md);
    // asking for help is not one, and gets standard output.
    io.stderr(`tokenward: no command given\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`tokenward: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true)) {
      io.stderr(`tokenward ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    if (ConfigError.is(error)) {
      io.stderr(`tokenward ${name}: configuration error: ${error.message}\n`);
      return EXIT.usage;
    }
    if (TokenError.is(error)) {
      io.stderr(`tokenward ${name}: ${error.code}: ${error.message}\n  hint: ${error.hint}\n`);
      return EXIT.invalid;
    }
    io.stderr(`tokenward ${name}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
}
