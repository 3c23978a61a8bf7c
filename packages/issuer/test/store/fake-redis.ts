// Loopback servers that misbehave the ways a real Redis can: one accepts
// connections and never answers, one completes the handshake and then never
// answers a command. The store must fail fast against both, never hang.

import { createServer, type Server, type Socket } from "node:net";

export interface FakeServer {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<FakeServer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("fake Redis: no TCP address");
  return {
    url: `redis://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts TCP connections and never sends a byte. */
export function silentServer(): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  return listen(server, sockets);
}

/** Answers the connection handshake (CLIENT, SELECT, INFO) like Redis, then leaves every other command unanswered. */
export function stallingServer(): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    let buffered = "";
    let stalled = false;
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      for (;;) {
        const parsed = parseCommand(buffered);
        if (parsed === undefined) return;
        buffered = buffered.slice(parsed.length);
        const name = (parsed.args[0] ?? "").toLowerCase();
        // Replies must keep the order of commands: once one is left unanswered, none after it may be answered.
        if (stalled) continue;
        if (name === "info") {
          const body = "# Server\r\nredis_version:7.0.0\r\nloading:0\r\n";
          socket.write(`$${Buffer.byteLength(body)}\r\n${body}\r\n`);
        } else if (name === "client" || name === "select" || name === "auth") socket.write("+OK\r\n");
        else stalled = true;
      }
    });
  });
  return listen(server, sockets);
}

/** One RESP array of bulk strings from the start of `text`, or undefined when it is not all there yet. */
function parseCommand(text: string): { args: string[]; length: number } | undefined {
  const header = /^\*(\d+)\r\n/.exec(text);
  if (header === null) return undefined;
  let at = header[0].length;
  const args: string[] = [];
  for (let i = 0; i < Number(header[1]); i++) {
    const bulk = /^\$(\d+)\r\n/.exec(text.slice(at));
    if (bulk === null) return undefined;
    const start = at + bulk[0].length;
    const end = start + Number(bulk[1]);
    if (text.length < end + 2) return undefined;
    args.push(text.slice(start, end));
    at = end + 2;
  }
  return { args, length: at };
}
