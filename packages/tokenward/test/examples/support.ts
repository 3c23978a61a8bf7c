import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer, request as httpRequest, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_ROOT = join(PACKAGE_ROOT, "..", "..");

/** The example servers import `tokenward/express` by name, i.e. the built files. */
export function assertBuilt(): void {
  for (const file of ["index.js", "express.js", "fastify.js"]) {
    if (!existsSync(join(PACKAGE_ROOT, "dist", file))) {
      throw new Error(`packages/tokenward/dist/${file} is missing: the examples load the built package; run \`npm run build\` first (npm test does)`);
    }
  }
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A Node program running as a real child process, its output collected line by line. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<Exit>;
  /** The first stdout line (already printed or still to come) that passes `test`. */
  waitForLine(test: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Sends a signal and waits for the exit, failing after `timeoutMs`. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const running = new Set<ChildProcess>();

// Variables of the parent that would change what the examples do.
const INHERITED_OUT = /^(TOKENWARD_|AXIOMS_|PORT$|HOST$|DEV_ISSUER_PORT$|RESOURCE_URL$|NODE_OPTIONS$)/;

/** Starts `node <script>` from the repository root with only the given configuration variables. */
export function startNode(script: string, env: Record<string, string>): NodeProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !INHERITED_OUT.test(name)));
  const child = spawn(process.execPath, [join(REPO_ROOT, script)], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    stdout.push(line);
    for (const wake of waiters) wake();
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => stderr.push(line));
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      // Let readline deliver the last lines before anyone looks.
      setImmediate(() => {
        for (const wake of waiters) wake();
        resolve({ code, signal });
      });
    });
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });

  const describe = () => `${script}\n--- stdout\n${stdout.join("\n")}\n--- stderr\n${stderr.join("\n")}`;

  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLine(test, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = stdout.find(test);
          if (found !== undefined) {
            finish();
            resolve(found);
            return true;
          }
          if (done) {
            finish();
            reject(new Error(`the process exited before printing the expected line: ${describe()}`));
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no expected line within ${timeoutMs} ms: ${describe()}`));
        }, timeoutMs);
        const wake = () => void check();
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        check();
      });
    },
    async stop(signal, timeoutMs = 5_000) {
      if (!done) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after ${signal}: ${describe()}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Kills every child process still running (for afterAll, whatever the tests did). */
export async function killAll(): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill("SIGKILL");
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? once(child, "exit") : undefined)));
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly challenge: string | undefined;
  readonly body: unknown;
}

/** One real HTTP request on its own connection (no keep-alive pool to outlive the test). */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? "GET", headers: { connection: "close", ...options.headers }, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, challenge: response.headers["www-authenticate"], body });
      });
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a Node request listener (an Express app, a Koa callback) on 127.0.0.1. */
export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  server.listen(0, "127.0.0.1");
  return listening(server);
}

/** Serves a fetch handler (Request in, Response out) on 127.0.0.1, as Bun, Deno or Workers would. */
export async function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Promise<Listening> {
  return listening(serve({ fetch, port: 0, hostname: "127.0.0.1" }) as Server);
}

async function listening(server: Server): Promise<Listening> {
  if (!server.listening) await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
