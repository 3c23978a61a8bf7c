import { processIo } from "./io.js";
import { run } from "./run.js";

// Exit explicitly once output is flushed: idle keep-alive sockets of a JWKS
// fetch must not hold the process open.
run(process.argv.slice(2), processIo()).then(
  (code) => {
    process.stdout.write("", () => process.exit(code));
  },
  (error: unknown) => {
    process.stderr.write(`tokenward: ${error instanceof Error ? error.message : String(error)}\n`, () => process.exit(2));
  },
);
