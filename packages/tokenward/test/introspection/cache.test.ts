import { describe, expect, it } from "vitest";
import { refusal } from "../helpers/jwks-faults.js";
import { activeAnswer, json, opaqueToken, useIntrospectionServer, verifierFor } from "./helpers.js";

// RFC 7662 §4: active answers are remembered briefly, by the exact token;
// concurrent requests with the same token share one introspection; inactive
// answers are not remembered. Counted in real requests to a real server.

const as = useIntrospectionServer();

/** A clock the test moves (Unix seconds), for the verifier's `now`. */
function testClock(start = 1_800_000_000): { now: () => number; advance: (seconds: number) => void } {
  let current = start;
  return {
    now: () => current,
    advance: (seconds) => {
      current += seconds;
    },
  };
}

describe("active answers are remembered", () => {
  it("a repeated token is introspected once, and gets the same frozen result", async () => {
    as.current.answer(activeAnswer());
    const verifier = verifierFor(as.current.endpoint);
    const token = opaqueToken();
    const first = await verifier.verify(token);
    for (let i = 0; i < 20; i++) expect(await verifier.verify(token)).toBe(first);
    expect(as.current.requests).toHaveLength(1);
  });

  it("for maxTtlSeconds (default 60) at most: then the server is asked again", async () => {
    const clock = testClock();
    as.current.answer(activeAnswer({}, clock.now()));
    const verifier = verifierFor(as.current.endpoint, {}, {}, { now: clock.now });
    const token = opaqueToken();
    await verifier.verify(token);
    clock.advance(59);
    await verifier.verify(token);
    expect(as.current.requests).toHaveLength(1);
    clock.advance(1);
    await verifier.verify(token);
    expect(as.current.requests).toHaveLength(2);
  });

  it("never past the answer's exp, even within maxTtlSeconds: then the server decides", async () => {
    const clock = testClock();
    as.current.answer(activeAnswer({ exp: clock.now() + 10 }, clock.now()));
    const verifier = verifierFor(as.current.endpoint, { cache: { maxTtlSeconds: 600 } }, {}, { now: clock.now });
    const token = opaqueToken();
    await verifier.verify(token);
    clock.advance(9);
    await verifier.verify(token);
    expect(as.current.requests).toHaveLength(1);
    clock.advance(1);
    as.current.answer({ active: false });
    expect((await refusal(verifier.verify(token))).code).toBe("token_inactive");
    expect(as.current.requests).toHaveLength(2);
  });

  it("a revocation is seen once the remembered answer's time is up (maxTtlSeconds)", async () => {
    const clock = testClock();
    const token = opaqueToken();
    as.current.answerByToken({ [token]: activeAnswer({}, clock.now()) });
    const verifier = verifierFor(as.current.endpoint, { cache: { maxTtlSeconds: 5 } }, {}, { now: clock.now });
    await verifier.verify(token);
    as.current.answerByToken({});
    clock.advance(4);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.advance(1);
    expect((await refusal(verifier.verify(token))).code).toBe("token_inactive");
  });

  it("a remembered answer that later fails maxTokenAge is refused without asking again", async () => {
    const clock = testClock();
    as.current.answer(activeAnswer({ iat: clock.now() }, clock.now()));
    const verifier = verifierFor(as.current.endpoint, {}, { maxTokenAge: 30, clockTolerance: 0 }, { now: clock.now });
    const token = opaqueToken();
    await verifier.verify(token);
    clock.advance(31);
    expect((await refusal(verifier.verify(token))).code).toBe("token_expired");
    expect(as.current.requests).toHaveLength(1);
  });

  it("the policy's check still runs on every remembered answer", async () => {
    as.current.answer(activeAnswer());
    let calls = 0;
    const verifier = verifierFor(as.current.endpoint, {}, { check: () => ++calls <= 2 });
    const token = opaqueToken();
    await verifier.verify(token);
    await verifier.verify(token);
    expect((await refusal(verifier.verify(token))).code).toBe("claim_invalid");
    expect(calls).toBe(3);
    expect(as.current.requests).toHaveLength(1);
  });

  it("keyed by the exact token: tokens that differ in one character are introspected separately", async () => {
    const token = opaqueToken();
    const sibling = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    as.current.answerByToken({ [token]: activeAnswer({ sub: "one" }), [sibling]: activeAnswer({ sub: "two" }) });
    const verifier = verifierFor(as.current.endpoint);
    expect((await verifier.verify(token)).subject).toBe("one");
    expect((await verifier.verify(sibling)).subject).toBe("two");
    expect(as.current.requests.map((request) => request.params.get("token"))).toEqual([token, sibling]);
  });

  it("bounded by maxEntries: the least recently used answer goes first", async () => {
    as.current.answer(activeAnswer());
    const verifier = verifierFor(as.current.endpoint, { cache: { maxEntries: 2 } });
    const [a, b, c] = [opaqueToken(), opaqueToken(), opaqueToken()];
    await verifier.verify(a);
    await verifier.verify(b);
    await verifier.verify(c);
    expect(as.current.requests).toHaveLength(3);
    await verifier.verify(c);
    await verifier.verify(b);
    expect(as.current.requests).toHaveLength(3);
    await verifier.verify(a);
    expect(as.current.requests).toHaveLength(4);
  });

  it("cache: false asks the server for every verification", async () => {
    as.current.answer(activeAnswer());
    const verifier = verifierFor(as.current.endpoint, { cache: false });
    const token = opaqueToken();
    for (let i = 0; i < 3; i++) await verifier.verify(token);
    expect(as.current.requests).toHaveLength(3);
  });
});

describe("inactive and failed answers are not remembered", () => {
  it("an inactive token is asked about again (negative answers are not cached)", async () => {
    as.current.answer({ active: false });
    const verifier = verifierFor(as.current.endpoint);
    const token = opaqueToken();
    expect((await refusal(verifier.verify(token))).code).toBe("token_inactive");
    expect((await refusal(verifier.verify(token))).code).toBe("token_inactive");
    expect(as.current.requests).toHaveLength(2);
  });

  it("after an outage, the same token is asked about again and accepted", async () => {
    as.current.handle((_request, response) => json(response, {}, 500));
    const verifier = verifierFor(as.current.endpoint, { failureBackoffMs: 0 });
    const token = opaqueToken();
    expect((await refusal(verifier.verify(token))).code).toBe("introspection_unavailable");
    as.current.answer(activeAnswer());
    await expect(verifier.verify(token)).resolves.toBeDefined();
  });
});

describe("single flight", () => {
  it("50 concurrent verifications of one token make one request and share its answer", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    as.current.handle(async (_request, response) => {
      await gate;
      json(response, activeAnswer());
    });
    const verifier = verifierFor(as.current.endpoint);
    const token = opaqueToken();
    const pending = Array.from({ length: 50 }, () => verifier.verify(token));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const results = await Promise.all(pending);
    expect(new Set(results).size).toBe(1);
    expect(as.current.requests).toHaveLength(1);
  });

  it("concurrent verifications share a refusal too, and the next one asks again", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    as.current.handle(async (_request, response) => {
      await gate;
      json(response, { active: false });
    });
    const verifier = verifierFor(as.current.endpoint, { cache: false });
    const token = opaqueToken();
    const pending = Array.from({ length: 10 }, () => refusal(verifier.verify(token)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const errors = await Promise.all(pending);
    expect(errors.every((error) => error.code === "token_inactive")).toBe(true);
    expect(as.current.requests).toHaveLength(1);
    await refusal(verifier.verify(token));
    expect(as.current.requests).toHaveLength(2);
  });

  it("distinct tokens are introspected concurrently, one request each", async () => {
    as.current.answer(activeAnswer());
    const verifier = verifierFor(as.current.endpoint);
    const tokens = Array.from({ length: 20 }, () => opaqueToken());
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(as.current.requests).toHaveLength(20);
  });
});
