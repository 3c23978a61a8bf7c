// How requests are read and answers built on the way in and out: a body with
// Content-Length is read whole (no web stream, which @hono/node-server would
// have to build), one without is capped while streaming, and every answer
// carries nosniff without its headers being touched after construction.
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthError } from "../../src/errors/oauth-error.js";
import { readParams } from "../../src/http/params.js";
import { jsonResponse, secureResponse, withNosniff } from "../../src/http/respond.js";
import { basic, postForm, type RunningIssuer, SECRET_CLIENT, startIssuer } from "../helpers/issuer.js";

const URL_ = "http://127.0.0.1/oauth/token";
const FORM = "application/x-www-form-urlencoded";
const MAX = 1024;

function post(body: string, headers: Record<string, string>): Request {
  return new Request(URL_, { method: "POST", headers, body });
}

async function refusal(request: Request): Promise<OAuthError> {
  try {
    await readParams(request, { maxBodyBytes: MAX });
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return error as OAuthError;
  }
  throw new Error("readParams accepted the request");
}

describe("readParams: a body with Content-Length", () => {
  it("reads it whole, without the body stream", async () => {
    const body = "grant_type=client_credentials&scope=read%3Adata+write%3Adata";
    const request = post(body, { "content-type": FORM, "content-length": String(body.length) });
    Object.defineProperty(request, "body", {
      get() {
        throw new Error("the body stream was used");
      },
    });
    const params = await readParams(request, { maxBodyBytes: MAX });
    expect(Object.fromEntries(params)).toEqual({ grant_type: "client_credentials", scope: "read:data write:data" });
  });

  it.each([
    ["longer", "a=1&b=2", "3"],
    ["shorter", "a=1", "7"],
  ])("refuses a body %s than its Content-Length", async (_, body, length) => {
    const error = await refusal(post(body, { "content-type": FORM, "content-length": length }));
    expect(error.error).toBe("invalid_request");
    expect(error.status).toBe(400);
    expect(error.message).toBe("the request body does not match its Content-Length");
    expect(error.detail).toBe(`Content-Length ${length}, body ${body.length} bytes`);
  });

  it("still refuses bad UTF-8 and bad percent-encoding read this way", async () => {
    const bytes = new Uint8Array([0x61, 0x3d, 0xff]);
    const request = new Request(URL_, { method: "POST", headers: { "content-type": FORM, "content-length": "3" }, body: bytes });
    expect((await refusal(request)).message).toBe("the request body is not valid UTF-8");
    expect((await refusal(post("a=%zz", { "content-type": FORM, "content-length": "5" }))).message).toMatch(/malformed percent-encoding/);
  });

  it("keeps one parse of a Content-Type per header, never a stale one", async () => {
    const ok = () => readParams(post("a=1", { "content-type": FORM }), { maxBodyBytes: MAX });
    expect((await ok()).get("a")).toBe("1");
    expect((await refusal(post("a=1", { "content-type": `${FORM}; charset=iso-8859-1` }))).message).toMatch(/must be UTF-8/);
    expect((await ok()).get("a")).toBe("1");
    expect((await refusal(post("a=1", { "content-type": "text/plain" }))).message).toMatch(/Content-Type must be/);
  });
});

describe("readParams behind @hono/node-server", () => {
  let origin = "";
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const server = createAdaptorServer({
      fetch: async (request: Request) => {
        try {
          return Response.json(Object.fromEntries(await readParams(request, { maxBodyBytes: MAX })));
        } catch (error) {
          const oauth = error as OAuthError;
          return Response.json(oauth.toJSON(), { status: oauth.status });
        }
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  function send(chunks: Array<string | Uint8Array>, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${origin}/oauth/token`, { method: "POST", headers }, (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      });
      request.on("error", reject);
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });
  }

  it("reads a Content-Length body of exactly maxBodyBytes, sent in pieces", async () => {
    const body = `a=${"é".repeat((MAX - 2) / 2)}`;
    const length = Buffer.byteLength(body);
    expect(length).toBe(MAX);
    const bytes = Buffer.from(body);
    // Cut mid-character: the pieces are joined as bytes before UTF-8 decoding.
    const answer = await send([bytes.subarray(0, 301), bytes.subarray(301)], { "content-type": FORM, "content-length": String(length) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ a: "é".repeat((MAX - 2) / 2) });
  });

  it("reads a chunked body within the limit, and refuses one that grows past it while streaming", async () => {
    const small = await send(["grant_type=client_", "credentials"], { "content-type": FORM, "transfer-encoding": "chunked" });
    expect(small).toEqual({ status: 200, body: '{"grant_type":"client_credentials"}' });
    const large = await send(
      Array.from({ length: 8 }, () => "a".repeat(256)),
      { "content-type": FORM, "transfer-encoding": "chunked" },
    );
    expect(large.status).toBe(413);
  });
});

describe("X-Content-Type-Options: nosniff", () => {
  it("is in the headers a Response is built with here, which withNosniff then leaves alone", () => {
    for (const response of [
      jsonResponse({ a: 1 }),
      jsonResponse({}, 401, { "WWW-Authenticate": "Basic" }),
      secureResponse("x", 200, { "content-type": "text/plain" }),
    ]) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      Object.defineProperty(response, "headers", {
        get() {
          throw new Error("headers read after construction");
        },
      });
      expect(withNosniff(response)).toBe(response);
    }
    const error = jsonResponse({}, 401, { "WWW-Authenticate": "Basic", "cache-control": "private" });
    expect(error.headers.get("www-authenticate")).toBe("Basic");
    expect(error.headers.get("cache-control")).toBe("private");
  });

  it("is added to a Response built elsewhere", () => {
    const response = withNosniff(new Response(null, { status: 200 }));
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  describe("on every answer of a listening issuer", () => {
    let running: RunningIssuer;
    beforeAll(async () => {
      running = await startIssuer({
        configure: (config) => {
          config.metrics = { enabled: true };
        },
      });
    });
    afterAll(() => running.close());

    const auth = () => ({ authorization: basic(SECRET_CLIENT.clientId, SECRET_CLIENT.secret) });

    it.each<[string, () => Promise<Response>, number]>([
      ["metadata", () => fetch(`${running.origin}/.well-known/oauth-authorization-server`), 200],
      ["HEAD of metadata", () => fetch(`${running.origin}/.well-known/oauth-authorization-server`, { method: "HEAD" }), 200],
      ["jwks", () => fetch(running.issuer.config.endpoints.jwks), 200],
      ["metrics", () => fetch(`${running.issuerId}/metrics`), 200],
      ["a token", () => postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, auth()), 200],
      ["a refused token request", () => postForm(running.tokenEndpoint, { grant_type: "client_credentials" }, { authorization: basic("nobody", "x") }), 401],
      ["revocation", () => postForm(running.issuer.config.endpoints.revocation, { token: "not-a-token" }, auth()), 200],
      ["a GET of the token endpoint", () => fetch(running.tokenEndpoint), 405],
      ["an unknown path", () => fetch(`${running.origin}/nowhere`), 404],
    ])("%s", async (_, send, status) => {
      const response = await send();
      await response.arrayBuffer();
      expect(response.status).toBe(status);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    });

    it("answers a token request with its RFC 6749 §5.1 headers and a JSON body", async () => {
      const response = await postForm(running.tokenEndpoint, { grant_type: "client_credentials", scope: "read:data" }, auth());
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json;charset=UTF-8");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("pragma")).toBe("no-cache");
      const body = (await response.json()) as Record<string, unknown>;
      expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(JSON.stringify(body))));
      expect(body).toMatchObject({ token_type: "Bearer", scope: "read:data" });
    });

    it("keeps Allow on a 405 and lets HEAD through only where GET is served", async () => {
      const onToken = await fetch(running.tokenEndpoint, { method: "PUT" });
      expect({ status: onToken.status, allow: onToken.headers.get("allow") }).toEqual({ status: 405, allow: "POST" });
      const headToken = await fetch(running.tokenEndpoint, { method: "HEAD" });
      expect(headToken.status).toBe(405);
      const onJwks = await fetch(running.issuer.config.endpoints.jwks, { method: "POST" });
      expect({ status: onJwks.status, allow: onJwks.headers.get("allow") }).toEqual({ status: 405, allow: "GET, HEAD" });
    });
  });
});
