// Properties of the jwt-bearer grant (fast-check), over real HTTP: ID-JAGs
// with random subsets of their claims removed or changed are redeemed if and
// only if every change keeps them valid, and no assertion, however broken,
// is ever answered with a 5xx.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTHER_API, type RunningIssuer } from "../../helpers/issuer.js";
import { API, idJagClaims, JWT_CLIENT_ID, redeem, startAs, startIdp, type TestIdp } from "../../helpers/xaa-as.js";

let idp: TestIdp;
let stranger: TestIdp;
let as: RunningIssuer;

beforeAll(async () => {
  [idp, stranger] = await Promise.all([startIdp(), startIdp()]);
  as = await startAs([idp]);
});
afterAll(async () => {
  await as?.close();
  await Promise.all([idp?.close(), stranger?.close()]);
});

interface Draft {
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
  signer: TestIdp;
}

interface Mutation {
  readonly name: string;
  /** Whether the ID-JAG must be refused once this change is made. */
  readonly breaks: boolean;
  apply(draft: Draft, now: number): void;
}

const remove = (claim: string): Mutation => ({
  name: `remove ${claim}`,
  breaks: true,
  apply: (draft) => {
    delete draft.claims[claim];
  },
});
const header = (name: string, breaks: boolean, typ: string | undefined): Mutation => ({
  name,
  breaks,
  apply: (draft) => {
    draft.header.typ = typ;
  },
});
const set = (name: string, breaks: boolean, claim: string, value: (now: number) => unknown): Mutation => ({
  name,
  breaks,
  apply: (draft, now) => {
    draft.claims[claim] = value(now);
  },
});

const MUTATIONS: readonly Mutation[] = [
  ...["iss", "sub", "aud", "client_id", "jti", "iat", "exp"].map(remove),
  set("iss untrusted", true, "iss", () => "https://untrusted.example.test"),
  set("iss this server", true, "iss", () => as.issuerId),
  set("aud another server", true, "aud", () => "https://other-as.example.test"),
  set("aud two", true, "aud", () => [as.issuerId, "https://other-as.example.test"]),
  set("aud token endpoint", true, "aud", () => as.tokenEndpoint),
  set("exp past", true, "exp", (now) => now - 100),
  set("iat future", true, "iat", (now) => now + 200),
  set("lifetime too long", true, "exp", (now) => now + 1000),
  set("client_id another client", true, "client_id", () => JWT_CLIENT_ID),
  set("sub empty", true, "sub", () => ""),
  set("sub number", true, "sub", () => 42),
  set("cnf", true, "cnf", () => ({ jkt: "abc" })),
  set("authorization_details", true, "authorization_details", () => [{ type: "x" }]),
  set("resource malformed", true, "resource", () => "not a uri"),
  set("resource elsewhere", true, "resource", () => "https://elsewhere.example.test"),
  set("resource two of the client's", true, "resource", () => [API, OTHER_API]),
  set("scope number", true, "scope", () => 7),
  set("scope none of the client's", true, "scope", () => "chat.read"),
  header("typ JWT", true, "JWT"),
  header("typ missing", true, undefined),
  {
    name: "signed by a stranger",
    breaks: true,
    apply: (draft) => {
      draft.signer = stranger;
    },
  },
  // Changes that keep the ID-JAG valid.
  set("aud array of one", false, "aud", () => [as.issuerId]),
  set("resource array", false, "resource", () => [API]),
  set("no resource", false, "resource", () => undefined),
  set("scope narrower", false, "scope", () => "read:data"),
  set("tenant", false, "tenant", () => "acme"),
  set("auth_time", false, "auth_time", (now) => now - 60),
  set("amr", false, "amr", () => ["mfa", "pwd"]),
  set("nbf past", false, "nbf", (now) => now - 10),
  header("typ with application/", false, "application/oauth-id-jag+jwt"),
];

const extraClaims = fc.dictionary(
  fc.stringMatching(/^x_[a-z]{1,8}$/),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown),
  { maxKeys: 3 },
);

describe("the jwt-bearer grant under random changes", () => {
  it("redeems an ID-JAG if and only if no change broke it, and never answers 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([...MUTATIONS]), extraClaims, async (mutations, extra) => {
        const now = Math.floor(Date.now() / 1000);
        const draft: Draft = { claims: { ...idJagClaims(idp, as.issuerId), ...extra }, header: {}, signer: idp };
        // Harmless changes first: a later one must not undo a breaking change to the same claim.
        for (const mutation of [...mutations].sort((a, b) => Number(a.breaks) - Number(b.breaks))) mutation.apply(draft, now);
        const claims = Object.fromEntries(Object.entries(draft.claims).filter(([, value]) => value !== undefined));
        const response = await redeem(as, await draft.signer.sign(claims, draft.header));
        const body = (await response.json()) as { error?: string };
        const valid = !mutations.some((mutation) => mutation.breaks);
        expect(response.status, `${mutations.map((mutation) => mutation.name).join(", ")}: ${JSON.stringify(body)}`).toBe(valid ? 200 : 400);
        if (!valid) expect(["invalid_grant", "invalid_target", "invalid_scope"]).toContain(body.error);
      }),
      { numRuns: 150 },
    );
  });

  it("answers any assertion string with 200 or a 4xx, never 5xx", async () => {
    const segment = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? "null").toString("base64url")),
    );
    const assertion = fc.oneof(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.tuple(segment, segment, segment).map((parts) => parts.join(".")),
    );
    await fc.assert(
      fc.asyncProperty(assertion, async (text) => {
        const response = await redeem(as, text);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        await response.arrayBuffer();
      }),
      { numRuns: 150 },
    );
  });
});
