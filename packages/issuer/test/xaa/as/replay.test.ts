// The replay policy of redeemed ID-JAGs (idJag.reuse), in memory and on two
// instances sharing Redis (127.0.0.1:6379, a unique key prefix per run).
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../../src/store/memory.js";
import { type IssuerStore, StoreUnavailableError } from "../../../src/store/types.js";
import { clientKey, type RunningIssuer } from "../../helpers/issuer.js";
import { ASSERTION_NOT_VALID, idJagClaims, mintIdJag, type OAuthErrorBody, redeem, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

const REDIS_URL = process.env.TOKENWARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(async () => {
  await idp?.close();
});

async function expectReplayRefused(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  expect((await response.json()) as OAuthErrorBody).toEqual({ error: "invalid_grant", error_description: ASSERTION_NOT_VALID });
}

describe('idJag.reuse "single-use" (the default)', () => {
  let as: RunningIssuer;
  const details: string[] = [];
  beforeAll(async () => {
    as = await startAs([idp], {
      configure: (config) => {
        config.onEvent = (event) => {
          if (event.type === "request_refused") details.push(event.detail ?? "");
        };
      },
    });
  });
  afterAll(async () => {
    await as?.close();
  });

  it("redeems an ID-JAG once; the second time is invalid_grant", async () => {
    const assertion = await mintIdJag(idp, as.issuerId);
    expect((await redeem(as, assertion)).status).toBe(200);
    await expectReplayRefused(await redeem(as, assertion));
    expect(details.at(-1)).toMatch(/already redeemed.*single-use/);
  });

  it("lets exactly one of concurrent redemptions through", async () => {
    const assertion = await mintIdJag(idp, as.issuerId);
    const statuses = await Promise.all(Array.from({ length: 8 }, () => redeem(as, assertion).then((response) => response.status)));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(7);
  });

  it("does not burn an ID-JAG on a request refused for another reason", async () => {
    const assertion = await mintIdJag(idp, as.issuerId);
    expect((await redeem(as, assertion, { scope: "admin" })).status).toBe(400);
    expect((await redeem(as, assertion)).status).toBe(200);
  });

  it("does not let a forged ID-JAG burn a genuine one's jti", async () => {
    const claims = idJagClaims(idp, as.issuerId);
    const stranger = await startIdp();
    try {
      await expectReplayRefused(await redeem(as, await stranger.sign(claims, { kid: idp.kid })));
    } finally {
      await stranger.close();
    }
    expect((await redeem(as, await idp.sign(claims))).status).toBe(200);
  });

  it("keeps jtis apart per identity provider", async () => {
    const other = await startIdp();
    const server = await startAs([idp, other], { trust: [{ subject: { prefix: "a|" } }, { subject: { prefix: "b|" } }] });
    try {
      const jti = randomUUID();
      expect((await redeem(server, await mintIdJag(idp, server.issuerId, { jti }))).status).toBe(200);
      expect((await redeem(server, await mintIdJag(other, server.issuerId, { jti }))).status).toBe(200);
    } finally {
      await server.close();
      await other.close();
    }
  });
});

describe('idJag.reuse "allow-reuse" (draft §4.4.3)', () => {
  let as: RunningIssuer;
  beforeAll(async () => {
    as = await startAs([idp], { idJag: { reuse: "allow-reuse" } });
  });
  afterAll(async () => {
    await as?.close();
  });

  it("redeems the same ID-JAG again while it is valid, each time for a new access token", async () => {
    const assertion = await mintIdJag(idp, as.issuerId);
    const tokens = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const response = await redeem(as, assertion);
      expect(response.status).toBe(200);
      tokens.add(((await response.json()) as { access_token: string }).access_token);
    }
    expect(tokens.size).toBe(3);
  });

  it("refuses a different assertion that reuses a jti already seen (RFC 7519 §4.1.7)", async () => {
    const jti = randomUUID();
    expect((await redeem(as, await mintIdJag(idp, as.issuerId, { jti }))).status).toBe(200);
    await expectReplayRefused(await redeem(as, await mintIdJag(idp, as.issuerId, { jti, scope: "read:data" })));
  });
});

it("answers 503 temporarily_unavailable, never 500, when the store cannot record the jti", async () => {
  const memory = createMemoryStore();
  const failing: IssuerStore = {
    ...memory,
    useOnce: async () => {
      throw new StoreUnavailableError("the test store is down");
    },
  };
  const as = await startAs([idp], {
    configure: (config) => {
      config.storeInstance = failing;
    },
  });
  try {
    const response = await redeem(as, await mintIdJag(idp, as.issuerId));
    expect(response.status).toBe(503);
    expect(((await response.json()) as OAuthErrorBody).error).toBe("temporarily_unavailable");
  } finally {
    await as.close();
    await memory.close();
  }
});

describe.each([
  ["single-use", false],
  ["allow-reuse", true],
] as const)('two instances sharing Redis, idJag.reuse "%s"', (reuse, secondAccepted) => {
  let keyDir: string;
  let a: RunningIssuer;
  let b: RunningIssuer;
  const keyPrefix = `tokenward-test:${randomUUID()}:`;

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), "tokenward-xaa-as-"));
    const jwtClientKey = await clientKey();
    const shared = { keyDir, jwtClientKey, idJag: { reuse } };
    a = await startAs([idp], {
      ...shared,
      configure: (config) => {
        config.store = { type: "redis", url: REDIS_URL, keyPrefix };
      },
    });
    b = await startAs([idp], {
      ...shared,
      configure: (config) => {
        config.store = { type: "redis", url: REDIS_URL, keyPrefix };
        // Another port, one issuer identifier.
        config.issuer = a.issuerId;
      },
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (keyDir !== undefined) await rm(keyDir, { recursive: true, force: true });
  });

  it(`${secondAccepted ? "accepts" : "refuses"} on the second instance an ID-JAG redeemed on the first`, async () => {
    const assertion = await mintIdJag(idp, a.issuerId);
    expect((await redeem(a, assertion)).status).toBe(200);
    const second = await redeem(b, assertion);
    if (secondAccepted) expect(second.status).toBe(200);
    else await expectReplayRefused(second);
  });

  it("refuses on the second instance another assertion with the first's jti", async () => {
    const jti = randomUUID();
    expect((await redeem(a, await mintIdJag(idp, a.issuerId, { jti }))).status).toBe(200);
    await expectReplayRefused(await redeem(b, await mintIdJag(idp, a.issuerId, { jti, scope: "read:data" })));
  });
});
