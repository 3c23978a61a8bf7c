// Without Redis, the Redis tests must fail at once and say how to start it,
// not wait out the 20 s test timeout.

import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { requireRedis } from "./redis-available.js";

describe("requireRedis", () => {
  it("rejects at once, naming the address and the command to start Redis, when nothing listens", async () => {
    const started = Date.now();
    await expect(requireRedis(1)).rejects.toThrow(/Redis is not reachable on 127\.0\.0\.1:1 \(connect ECONNREFUSED.*redis-server --daemonize yes/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("rejects within its timeout when something listens but does not answer PING", async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    try {
      if (address === null || typeof address === "string") throw new Error("no TCP address");
      await expect(requireRedis(address.port, 300)).rejects.toThrow(/no answer within 300 ms/);
    } finally {
      server.close();
    }
  });
});
