import { parseArgs } from "node:util";
import { decodeUnverified } from "../../jws/decode-unverified.js";
import { EXIT, type Io, isoTime, readToken, UsageError } from "../io.js";

export const DECODE_USAGE = `Usage: tokenward decode <token | -> [--json]

Prints a token's header and payload WITHOUT verifying anything. Use it to
see what a token claims; use "tokenward verify" to decide whether to trust it.
`;

const TIME_CLAIMS = ["exp", "nbf", "iat", "auth_time"];

export async function decodeCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help === true) {
    io.stdout(DECODE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 1) throw new UsageError(`one token at a time; got ${positionals.length} arguments`);
  const decoded = decodeUnverified(await readToken(io, positionals[0]));
  if (values.json === true) {
    io.stdout(`${JSON.stringify({ verified: false, header: decoded.header, payload: decoded.payload, problems: decoded.problems })}\n`);
    return EXIT.ok;
  }
  const out = [
    "UNVERIFIED: nothing below is checked; anyone can write a token that says this.",
    "",
    "header:",
    JSON.stringify(decoded.header, null, 2),
    "",
    "payload:",
    JSON.stringify(decoded.payload, null, 2),
  ];
  if (typeof decoded.payload === "object" && decoded.payload !== null) {
    const times = TIME_CLAIMS.flatMap((name) => {
      const iso = isoTime((decoded.payload as Record<string, unknown>)[name]);
      return iso === undefined ? [] : [`  ${name.padEnd(9)} ${iso}`];
    });
    if (times.length > 0) out.push("", "times (UTC):", ...times, `  now       ${new Date().toISOString()}`);
  }
  out.push("", `signature: ${decoded.signatureBytes} bytes`);
  if (decoded.problems.length > 0) out.push("", "verification would refuse this shape:", ...decoded.problems.map((problem) => `  - ${problem}`));
  io.stdout(`${out.join("\n")}\n`);
  return EXIT.ok;
}
