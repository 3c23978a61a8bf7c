import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizationHeaders } from "../../src/http/query.js";

// A real node:http server that hands each request to the test, and raw
// requests written on a socket, so the header lines are exactly as sent.
let received: (request: IncomingMessage) => void = () => undefined;
const server = createServer((request, response) => {
  received(request);
  response.end();
});

beforeAll(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function requestWith(headerLines: string[]): Promise<IncomingMessage> {
  const arrived = new Promise<IncomingMessage>((resolve) => {
    received = resolve;
  });
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  socket.on("error", () => undefined);
  socket.write(["GET /api HTTP/1.1", "Host: 127.0.0.1", ...headerLines, "Connection: close", "", ""].join("\r\n"));
  const request = await arrived;
  socket.destroy();
  return request;
}

describe("authorizationHeaders: every Authorization header of a node:http request (RFC 6750 §3.1)", () => {
  it("returns each Authorization header in order, whatever the case of its name, where req.headers keeps only the first", async () => {
    const request = await requestWith(["Authorization: Bearer one", "X-Other: x", "AUTHORIZATION: Bearer two", "authorization: Basic three"]);
    expect(request.headers.authorization).toBe("Bearer one");
    expect(authorizationHeaders(request)).toEqual(["Bearer one", "Bearer two", "Basic three"]);
  });

  it("agrees with Node's own headersDistinct", async () => {
    const request = await requestWith(["authorization: Bearer a", "Accept: */*", "Authorization: Bearer b"]);
    expect(authorizationHeaders(request)).toEqual(request.headersDistinct.authorization);
  });

  it("returns no header for a request without one, and ignores names that only contain the word", async () => {
    const request = await requestWith(["Proxy-Authorization: Basic x", "X-Authorization: Bearer y"]);
    expect(authorizationHeaders(request)).toEqual([]);
  });

  it("falls back to headersDistinct, then to headers.authorization (its own or the framework request's), for look-alike requests without rawHeaders", () => {
    expect(authorizationHeaders({ headersDistinct: { authorization: ["Bearer a", "Bearer b"] } }, { headers: { authorization: "Bearer a" } })).toEqual([
      "Bearer a",
      "Bearer b",
    ]);
    expect(authorizationHeaders({}, { headers: { authorization: "Bearer a" } })).toEqual(["Bearer a"]);
    expect(authorizationHeaders({ headers: { authorization: "Bearer own" } } as never)).toEqual(["Bearer own"]);
    expect(authorizationHeaders({}, { headers: {} })).toEqual([]);
    expect(authorizationHeaders({})).toEqual([]);
  });
});
