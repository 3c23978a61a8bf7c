import { describe, expect, it } from "vitest";
import { basicAuthorization, formEncode } from "../../src/introspection/client-auth.js";
import { activeAnswer, CLIENT_ID, CLIENT_SECRET, opaqueToken, PATH, useIntrospectionServer, verifierFor } from "./helpers.js";

// RFC 7662 §2.1: how the request looks on the wire, and RFC 6749 §2.3.1 /
// Appendix B: how the client authenticates.

const as = useIntrospectionServer();

/** What a server decodes from a Basic header (RFC 6749 §2.3.1): base64, split at the first colon, each side form-decoded. */
function decodeBasic(header: string | undefined): [string, string] {
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
  const decoded = Buffer.from((header as string).slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, " "));
  return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

describe("the introspection request (RFC 7662 §2.1)", () => {
  it("is a form POST with the token and token_type_hint in the body, JSON asked for, and nothing in the URL", async () => {
    as.current.answer(activeAnswer());
    const token = opaqueToken();
    await verifierFor(as.current.endpoint).verify(token);
    expect(as.current.requests).toHaveLength(1);
    const [request] = as.current.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe(PATH);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers.accept).toBe("application/json");
    expect([...(request?.params.keys() ?? [])]).toEqual(["token", "token_type_hint"]);
    expect(request?.params.get("token")).toBe(token);
    expect(request?.params.get("token_type_hint")).toBe("access_token");
  });

  it("client_secret_basic (the default) sends the credentials in Authorization, not in the body", async () => {
    as.current.answer(activeAnswer());
    await verifierFor(as.current.endpoint).verify(opaqueToken());
    const [request] = as.current.requests;
    expect(decodeBasic(request?.headers.authorization)).toEqual([CLIENT_ID, CLIENT_SECRET]);
    expect(request?.params.has("client_secret")).toBe(false);
    expect(request?.params.has("client_id")).toBe(false);
  });

  it("client_secret_post sends client_id and client_secret in the body, and no Authorization header", async () => {
    as.current.answer(activeAnswer());
    const token = opaqueToken();
    await verifierFor(as.current.endpoint, { auth: "client_secret_post" }).verify(token);
    const [request] = as.current.requests;
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.params.get("client_id")).toBe(CLIENT_ID);
    expect(request?.params.get("client_secret")).toBe(CLIENT_SECRET);
    expect(request?.params.get("token")).toBe(token);
  });

  it("client_secret_post form-encodes credentials with reserved characters", async () => {
    as.current.answer(activeAnswer());
    const secret = "p&ss=w+rd %é";
    await verifierFor(as.current.endpoint, { auth: "client_secret_post", clientId: "id&x=1", clientSecret: secret }).verify(opaqueToken());
    const [request] = as.current.requests;
    expect(request?.params.getAll("client_id")).toEqual(["id&x=1"]);
    expect(request?.params.getAll("client_secret")).toEqual([secret]);
  });
});

describe("client_secret_basic encoding (RFC 6749 Appendix B)", () => {
  // Each credential is form-encoded before the two are joined with ":" and
  // base64-encoded, so a colon in the client id cannot move the split and
  // "+", "%" and spaces survive the server's form-decoding.
  const cases: [string, string][] = [
    ["plain-client", "plain-secret"],
    ["client:with:colons", "secret:with:colons"],
    ["client id", "secret with spaces"],
    ["a+b", "c+d%2B"],
    ["%41", "100%"],
    ["ümlaut-ßlient", "sécret-✓-🔑"],
    ["~!*'()", "&=?#/[]@$,;"],
  ];
  for (const [id, secret] of cases) {
    it(`${JSON.stringify(id)} / ${JSON.stringify(secret)} survive the round trip through a real server`, async () => {
      as.current.answer(activeAnswer());
      await verifierFor(as.current.endpoint, { clientId: id, clientSecret: secret }).verify(opaqueToken());
      expect(decodeBasic(as.current.requests[0]?.headers.authorization)).toEqual([id, secret]);
    });
  }

  it("encodes the RFC's reserved characters as application/x-www-form-urlencoded does", () => {
    expect(formEncode("a b")).toBe("a+b");
    expect(formEncode("a+b")).toBe("a%2Bb");
    expect(formEncode("a:b")).toBe("a%3Ab");
    expect(formEncode("a%b")).toBe("a%25b");
    expect(formEncode("é")).toBe("%C3%A9");
    // RFC 6749 §2.3.1's own example client (s6BhdRkqt3 / gX1fBat3bV) encodes to its Basic header unchanged.
    expect(basicAuthorization("s6BhdRkqt3", "gX1fBat3bV")).toBe("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
  });
});
