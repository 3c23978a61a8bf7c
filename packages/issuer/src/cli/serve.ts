// `tokenward serve --config FILE`: runs the issuer until SIGINT or SIGTERM.
// Logs are JSON lines on standard error: events only, never a secret or a token.

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { IssuerConfigError } from "../config/resolve.js";
import type { IssuerEvent } from "../config/types.js";
import { type CreateIssuerOptions, createIssuer } from "../create-issuer.js";
import { jsonErrorPosition } from "./json-position.js";
import type { CommandIo, IssuerCommand } from "./types.js";

const USAGE = `Usage: tokenward serve --config FILE [--port PORT] [--host HOST]

Runs the authorization server described by FILE (JSON; schema:
@tokenward/issuer/schema.json) until SIGINT or SIGTERM.

Options:
  --config FILE   the issuer configuration (required)
  --port PORT     port to listen on (default: the issuer URL's port, or $PORT)
  --host HOST     address to listen on (default: localhost, i.e. 127.0.0.1 and ::1)
  --quiet         no request log lines
`;

export const serveCommand: IssuerCommand = {
  summary: "run the authorization server from a JSON configuration",
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.stdout(USAGE);
      return 0;
    }
    if (values.config === undefined) return usage(io, "--config FILE is required");
    const file = resolve(io.cwd, values.config);
    const loaded = await loadJson(file);
    if ("error" in loaded) {
      io.stderr(`tokenward serve: ${loaded.error}\n`);
      return 2;
    }

    const log = (event: IssuerEvent) => {
      if (values.quiet === true && event.type !== "server_error") return;
      io.stderr(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
    };
    let issuer: Awaited<ReturnType<typeof createIssuer>>;
    try {
      issuer = await createIssuer({ ...(loaded.value as CreateIssuerOptions), baseDir: dirname(file), onEvent: log });
    } catch (error) {
      if (error instanceof IssuerConfigError) {
        io.stderr(`tokenward serve: ${file} is not a valid issuer configuration:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`);
        return 2;
      }
      io.stderr(`tokenward serve: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
      return 2;
    }

    const issuerUrl = new URL(issuer.config.issuer);
    const portText = values.port ?? io.env.PORT ?? (issuerUrl.port || (issuerUrl.protocol === "https:" ? "443" : "80"));
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      await issuer.close();
      return usage(io, `${JSON.stringify(portText)} is not a port number`);
    }
    let server: Awaited<ReturnType<typeof issuer.listen>>;
    try {
      server = await issuer.listen({ port, hostname: values.host ?? "localhost" });
    } catch (error) {
      await issuer.close();
      const code = (error as { code?: string }).code;
      io.stderr(
        `tokenward serve: cannot listen on port ${port}: ${code === "EADDRINUSE" ? "another process uses it (stop it, or pass --port)" : error instanceof Error ? error.message : String(error)}\n`,
      );
      return 2;
    }
    io.stdout(
      `tokenward issuer ${issuer.config.issuer} listening on ${server.url}\n` +
        `  metadata  ${issuer.config.base}/.well-known/oauth-authorization-server\n` +
        `  token     ${issuer.config.endpoints.token}\n` +
        `  jwks      ${issuer.config.endpoints.jwks}\n`,
    );
    return new Promise<number>((resolveExit) => {
      const stop = async () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        await server.close();
        await issuer.close();
        resolveExit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};

function usage(io: CommandIo, message: string): number {
  io.stderr(`tokenward serve: ${message}\n\n${USAGE}`);
  return 2;
}

async function loadJson(file: string): Promise<{ value: unknown } | { error: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    return { error: code === "ENOENT" ? `no configuration file at ${file}` : `cannot read ${file}: ${(error as Error).message}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const where = jsonErrorPosition(text, error);
    return { error: `${file} is not JSON${where === "" ? "" : ` (${where})`}` };
  }
}
