import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { MockIssuerError } from "../errors.js";
import { type Answer, json } from "./answer.js";
import { DEFAULT_HUGE_BYTES, type Fault, FaultTable, MOCK_ENDPOINTS, type MockEndpoint } from "./faults.js";

export interface Route {
  readonly endpoint: MockEndpoint;
  handle(request: IncomingMessage): Answer | Promise<Answer>;
}

/** Tests run on loopback only: nothing else can reach a mock that signs whatever it is asked. */
export const HOST = "127.0.0.1";
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

function zeroCounts(): Record<MockEndpoint, number> {
  return Object.fromEntries(MOCK_ENDPOINTS.map((endpoint) => [endpoint, 0])) as Record<MockEndpoint, number>;
}

function faultAnswer(fault: Extract<Fault, { kind: "status" }>): Answer {
  const status = fault.status ?? 503;
  const error = status === 503 ? "temporarily_unavailable" : status >= 500 ? "server_error" : "mock_fault";
  const body = fault.body === undefined ? { error, error_description: `a fault injected by the test (HTTP ${status})` } : fault.body;
  return {
    status,
    headers: { "content-type": "application/json", ...fault.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) }).end(answer.body);
}

/**
 * The node:http server under a mock issuer: routes by exact path, counts
 * requests per endpoint, applies injected faults, and can go down (the port
 * refuses connections) and come back up on the same port.
 */
export class MockHttpServer {
  readonly faults = new FaultTable();
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();
  private counts = zeroCounts();
  private state: "new" | "up" | "down" | "closed" = "new";
  private closing: Promise<void> | undefined;
  private boundPort = 0;

  constructor(private readonly routes: ReadonlyMap<string, Route>) {
    this.server = createServer((request, response) => {
      this.dispatch(request, response).catch(() => {
        // A bug here must not look like an answer: a 500 says "the mock failed", never a crash.
        if (!response.headersSent) send(response, json(500, { error: "server_error", error_description: "the mock issuer failed to answer" }));
        else response.destroy();
      });
    });
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.server.off("listening", onListening);
        reject(
          new MockIssuerError(
            "listen_failed",
            error.code === "EADDRINUSE"
              ? `port ${port} on ${HOST} is in use; use port 0 (a free port), or another port`
              : `cannot listen on ${HOST}:${port}: ${error.message}`,
            "port",
          ),
        );
      };
      const onListening = () => {
        this.server.off("error", onError);
        resolve();
      };
      this.server.once("error", onError);
      this.server.once("listening", onListening);
      this.server.listen(port, HOST);
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.state = "up";
    return this.boundPort;
  }

  /** Stops listening and drops every connection: new requests are refused (ECONNREFUSED). */
  async down(): Promise<void> {
    this.assertOpen("down");
    if (this.state !== "up") return;
    this.state = "down";
    await this.stopListening();
    // Clients in this process that kept a connection alive learn of its end on
    // their next turn of the event loop; after that, every request opens a new
    // connection and is refused, as the caller of down() expects.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    this.assertOpen("up");
    if (this.state !== "down") return;
    await this.listen(this.boundPort);
  }

  /** Idempotent: later calls return the first call's promise. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const wasUp = this.state === "up";
    this.state = "closed";
    for (const [timer, wake] of this.sleepers) {
      clearTimeout(timer);
      wake();
    }
    this.sleepers.clear();
    this.closing = wasUp ? this.stopListening() : Promise.resolve();
    return this.closing;
  }

  count(endpoint: MockEndpoint): number {
    return this.counts[endpoint];
  }

  allCounts(): Record<MockEndpoint, number> {
    return { ...this.counts };
  }

  resetCounts(): void {
    this.counts = zeroCounts();
  }

  private assertOpen(action: string): void {
    if (this.state === "closed") throw new MockIssuerError("closed", `${action}(): this mock issuer was closed; create a new one`);
  }

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let path: string | undefined;
    try {
      path = new URL(request.url ?? "/", `http://${HOST}`).pathname;
    } catch {
      path = undefined;
    }
    const route = path === undefined ? undefined : this.routes.get(path);
    if (route === undefined) {
      request.resume();
      send(response, json(404, { error: "not_found", error_description: "this mock issuer serves nothing at this path; see its endpoints" }));
      return;
    }
    this.counts[route.endpoint] += 1;
    const fault = this.faults.take(route.endpoint);
    if (fault?.kind === "reset") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "status") {
      request.resume();
      send(response, faultAnswer(fault));
      return;
    }
    if (fault?.kind === "delay") {
      await this.sleep(fault.ms);
      if (this.state === "closed" || response.destroyed) return;
    }
    const answer = await route.handle(request);
    if (fault?.kind === "huge") return this.stream(response, answer, fault.bytes ?? DEFAULT_HUGE_BYTES);
    if (fault?.kind === "invalid-json") {
      send(response, { ...answer, status: 200, body: answer.body.slice(0, Math.floor(answer.body.length / 2)) });
      return;
    }
    send(response, answer);
  }

  /** The answer, then whitespace up to `bytes`, written as fast as the client reads, stopping when it goes away. */
  private async stream(response: ServerResponse, answer: Answer, bytes: number): Promise<void> {
    const head = Buffer.from(answer.body);
    const total = Math.max(bytes, head.length);
    response.writeHead(answer.status, { ...answer.headers, "content-length": String(total) });
    let gone = false;
    response.once("close", () => {
      gone = true;
    });
    response.write(head);
    let sent = head.length;
    while (!gone && sent < total) {
      const piece = CHUNK.subarray(0, Math.min(CHUNK.length, total - sent));
      sent += piece.length;
      if (!response.write(piece)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            response.off("drain", done);
            response.off("close", done);
            resolve();
          };
          response.once("drain", done);
          response.once("close", done);
        });
      }
    }
    if (!gone) response.end();
  }
}
