// How the Redis store names its server: never with the password, wherever the URL carries it.

import { describe, expect, it } from "vitest";
import { redisAddress, scrub } from "../../src/store/redis-address.js";

describe("redisAddress", () => {
  it("shows scheme, user, host, port and database; '***' for the password; no query", () => {
    expect(redisAddress("redis://127.0.0.1:6379").shown).toBe("redis://127.0.0.1:6379");
    expect(redisAddress("rediss://cache.internal:6380/2").shown).toBe("rediss://cache.internal:6380/2");
    expect(redisAddress("redis://:pw@h:1").shown).toBe("redis://:***@h:1");
    expect(redisAddress("redis://app:p%40ss@h:1/0?password=other&family=6").shown).toBe("redis://app:***@h:1/0");
    expect(redisAddress("redis://app@h").shown).toBe("redis://app@h");
  });

  it("lists the secrets, decoded and as written, and scrub() removes them from any text", () => {
    const { secrets } = redisAddress("redis://app:p%40ss@h:1/0?password=other");
    expect([...secrets].sort()).toEqual(["other", "p%40ss", "p@ss"]);
    expect(scrub("AUTH p@ss failed; url had p%40ss and other", secrets)).toBe("AUTH *** failed; url had *** and ***");
  });

  it("refuses what is not a redis URL without repeating it", () => {
    expect(() => redisAddress("https://u:topsecret@h")).toThrow(/must start with redis:\/\/ or rediss:\/\/, not https:\/\//);
    expect(() => redisAddress("::topsecret")).toThrow(TypeError);
    expect(() => redisAddress("::topsecret")).not.toThrow(/topsecret/);
  });
});
