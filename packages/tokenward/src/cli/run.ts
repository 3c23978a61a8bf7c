import { ConfigError } from "../errors/config-error.js";
import { TokenError } from "../errors/token-error.js";
import { DECODE_USAGE, decodeCommand } from "./commands/decode.js";
import { DISCOVER_USAGE, discoverCommand } from "./commands/discover.js";
import { DOCTOR_USAGE, doctorCommand } from "./commands/doctor.js";
import { VERIFY_USAGE, verifyCommand } from "./commands/verify.js";
import { EXIT, type Io, UsageError } from "./io.js";

const COMMANDS: Record<string, { run: (argv: readonly string[], io: Io) => Promise<number>; usage: string; summary: string }> = {
  verify: { run: verifyCommand, usage: VERIFY_USAGE, summary: "verify a token against trusted issuers" },
  decode: { run: decodeCommand, usage: DECODE_USAGE, summary: "print a token's header and payload, unverified" },
  discover: { run: discoverCommand, usage: DISCOVER_USAGE, summary: "fetch an issuer's metadata and JWKS, and say what is wrong with them" },
  doctor: { run: doctorCommand, usage: DOCTOR_USAGE, summary: "check an issuer, its keys, the clocks and a token, with a fix for each failure" },
};

// Run by @tokenward/issuer, loaded only when one of them is asked for, so that
// verifying needs nothing of the issuer installed.
const ISSUER_COMMANDS: Record<string, string> = {
  serve: "run an authorization server from a JSON configuration (@tokenward/issuer)",
  keys: "generate, rotate and list the issuer's signing keys (@tokenward/issuer)",
  secret: "hash a client secret for an issuer configuration (@tokenward/issuer)",
  mint: "sign a token for local testing, as the issuer would or with a key file (@tokenward/issuer)",
};

export const USAGE = `Usage: tokenward <command> [options]

Commands:
${[...Object.entries(COMMANDS).map(([name, command]) => [name, command.summary] as const), ...Object.entries(ISSUER_COMMANDS)]
  .map(([name, summary]) => `  ${name.padEnd(8)} ${summary}`)
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
  if (Object.hasOwn(ISSUER_COMMANDS, name)) return runIssuerCommand(name, rest, io);
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

interface IssuerCli {
  commands: Record<
    string,
    { run(argv: readonly string[], io: { stdout(text: string): void; stderr(text: string): void; env: Io["env"]; cwd: string }): Promise<number> }
  >;
}

async function runIssuerCommand(name: string, argv: readonly string[], io: Io): Promise<number> {
  let cli: IssuerCli;
  try {
    // A variable specifier keeps bundlers from inlining the optional package.
    const specifier = "@tokenward/issuer/cli";
    cli = (await import(specifier)) as IssuerCli;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      io.stderr(`tokenward ${name}: this command comes with the issuer package; install it: npm install @tokenward/issuer\n`);
      return EXIT.usage;
    }
    throw error;
  }
  const command = cli.commands[name];
  if (command === undefined) {
    io.stderr(`tokenward ${name}: the installed @tokenward/issuer has no such command\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(argv, { stdout: io.stdout, stderr: io.stderr, env: io.env, cwd: process.cwd() });
  } catch (error) {
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
      io.stderr(`tokenward ${name}: ${error.message} (see tokenward ${name} --help)\n`);
      return EXIT.usage;
    }
    io.stderr(`tokenward ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.usage;
  }
}
