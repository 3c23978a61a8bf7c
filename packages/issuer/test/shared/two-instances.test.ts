// Two issuer instances on one Redis (127.0.0.1:6379) and one key directory
// behave as one issuer: an assertion replayed on the other instance is
// refused, and a token revoked on one is inactive on the other. (The rate
// limit's sharing is shown on the stores themselves, test/store/.)
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASSERTION_TYPE, basic, clientAssertion, clientKey, postForm, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

const REDIS_URL = process.env.TOKENWARD_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

describe("two instances sharing Redis", () => {
  let keyDir: string;
  let a: RunningIssuer;
  let b: RunningIssuer;
  const keyPrefix = `tokenward-test:${randomUUID()}:`;

  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), "tokenward-shared-"));
    const jwtClientKey = await clientKey();
    const configure = (config: Parameters<NonNullable<Parameters<typeof startIssuer>[0]>["configure"] & object>[0]) => {
      config.store = { type: "redis", url: REDIS_URL, keyPrefix };
    };
    a = await startIssuer({ keyDir, jwtClientKey, configure });
    // The second instance answers at another port; both must carry the same issuer identifier.
    b = await startIssuer({
      keyDir,
      jwtClientKey,
      configure: (config) => {
        configure(config);
        config.issuer = a.issuerId;
      },
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  it("publishes the same keys", async () => {
    const [ja, jb] = await Promise.all([a, b].map(async (r) => (await fetch(`${r.origin}/.well-known/jwks.json`)).json()));
    expect(jb).toEqual(ja);
  });

  it("refuses on the second instance a private_key_jwt assertion used on the first", async () => {
    const assertion = await clientAssertion(a.jwtClientKey, a.issuerId);
    const params = { grant_type: "client_credentials", client_assertion_type: ASSERTION_TYPE, client_assertion: assertion };
    expect((await postForm(`${a.origin}/oauth/token`, params)).status).toBe(200);
    const replay = await postForm(`${b.origin}/oauth/token`, params);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("sees on one instance a revocation made on the other", async () => {
    const auth = { authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) };
    const issued = await postForm(`${a.origin}/oauth/token`, { grant_type: "client_credentials" }, auth);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    expect(((await (await postForm(`${b.origin}/oauth/introspect`, { token }, auth)).json()) as { active: boolean }).active).toBe(true);
    expect((await postForm(`${a.origin}/oauth/revoke`, { token }, auth)).status).toBe(200);
    expect(await (await postForm(`${b.origin}/oauth/introspect`, { token }, auth)).json()).toEqual({ active: false });
  });
});
