import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthError } from "../../src/errors/oauth-error.js";
import { readParams } from "../../src/http/params.js";

const URL_ = "http://127.0.0.1/oauth/token";
const FORM = "application/x-www-form-urlencoded";
const MAX = 1024;
// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

function post(body: BodyInit | null, headers: Record<string, string> = { "content-type": FORM }, url = URL_): Request {
  return new Request(url, { method: "POST", headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

async function refusal(request: Request, maxBodyBytes = MAX): Promise<OAuthError> {
  try {
    await readParams(request, { maxBodyBytes });
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    const oauth = error as OAuthError;
    expect(oauth.error).toBe("invalid_request");
    expect(oauth.message).toMatch(DESCRIPTION);
    return oauth;
  }
  throw new Error("readParams accepted the request");
}

const read = (request: Request, maxBodyBytes = MAX) => readParams(request, { maxBodyBytes });

describe("readParams: form bodies (RFC 6749 §3.2)", () => {
  it("reads form-encoded parameters, decoding + and percent escapes", async () => {
    const params = await read(post("grant_type=client_credentials&scope=read%3Adata+write%3Adata&resource=https%3A%2F%2Fapi.example.com%2F&x=%C3%A9"));
    expect(Object.fromEntries(params)).toEqual({
      grant_type: "client_credentials",
      scope: "read:data write:data",
      resource: "https://api.example.com/",
      x: "é",
    });
  });

  it.each([`${FORM};charset=UTF-8`, `${FORM}; charset="utf-8"`, "APPLICATION/X-WWW-FORM-URLENCODED ;CHARSET=Utf-8", `${FORM};`])(
    "accepts Content-Type %j",
    async (type) => {
      expect((await read(post("a=1", { "content-type": type }))).get("a")).toBe("1");
    },
  );

  it("treats parameters without a value as omitted", async () => {
    const params = await read(post("a=&b&c=1&&d="));
    expect(Object.fromEntries(params)).toEqual({ c: "1" });
    expect((await read(post("scope=&scope=read"))).get("scope")).toBe("read");
  });

  it("refuses a repeated parameter, naming it", async () => {
    const error = await refusal(post("grant_type=client_credentials&scope=a&scope=b"));
    expect(error.message).toBe("the scope parameter is included more than once; send each parameter once (RFC 6749 section 3.2)");
    expect(error.status).toBe(400);
  });

  it("names a hostile repeated parameter generically", async () => {
    const error = await refusal(post(`${encodeURIComponent('a"b\n')}=1&${encodeURIComponent('a"b\n')}=2`));
    expect(error.message).toMatch(/^a parameter is included more than once/);
  });

  it("refuses a parameter without a name", async () => {
    expect((await refusal(post("=x"))).message).toBe("a parameter has no name");
  });

  it.each(["a=%zz", "a=%4", "a=50%", "%=1", "a=%%41"])("refuses the bad percent-encoding %j", async (body) => {
    expect((await refusal(post(body))).message).toMatch(/malformed percent-encoding/);
  });

  it.each(["a=%FF", "a=%C3", "a=%ED%A0%80"])("refuses escapes that are not UTF-8: %j", async (body) => {
    expect((await refusal(post(body))).message).toMatch(/not UTF-8/);
  });

  it("refuses raw bytes that are not UTF-8", async () => {
    expect((await refusal(post(new Uint8Array([0x61, 0x3d, 0xff, 0xfe])))).message).toBe("the request body is not valid UTF-8");
  });

  it("refuses another charset", async () => {
    expect((await refusal(post("a=1", { "content-type": `${FORM}; charset=iso-8859-1` }))).message).toMatch(/must be UTF-8/);
  });
});

describe("readParams: JSON bodies", () => {
  const json = (body: string) => post(body, { "content-type": "application/json" });

  it("reads a flat object of strings, treating null and empty strings as omitted", async () => {
    const params = await read(json(' { "grant_type" : "client_credentials", "audience":"https://api", "scope": null, "x": "", "e": "caf\\u00e9 \\"q\\"" } '));
    expect(Object.fromEntries(params)).toEqual({ grant_type: "client_credentials", audience: "https://api", e: 'café "q"' });
    expect((await read(json("{}"))).size).toBe(0);
  });

  it.each([
    ['{"a": 1}', "the a parameter must be a string in a JSON body"],
    ['{"a": true}', "the a parameter must be a string in a JSON body"],
    ['{"a": {"b": "c"}}', "the a parameter must be a string in a JSON body"],
    ['{"a": ["b"]}', "the a parameter must be a string in a JSON body"],
    ['["a"]', "the request body is not a JSON object of string parameters"],
    ['"a"', "the request body is not a JSON object of string parameters"],
    ['{"a": "b"', "the request body is not a JSON object of string parameters"],
    ['{"a": "b",}', "the request body is not a JSON object of string parameters"],
    ['{"a": "b"} {}', "the request body is not a JSON object of string parameters"],
    ["{'a': 'b'}", "the request body is not a JSON object of string parameters"],
    ['{"a": "b\nc"}', "the request body is not a JSON object of string parameters"],
    ['{"a": "\\x41"}', "the request body is not a JSON object of string parameters"],
    ['{"a": "b", "a": "c"}', "the a parameter is included more than once; send each parameter once (RFC 6749 section 3.2)"],
    ['{"a": "\\ud800"}', "the JSON body has a string with an unpaired surrogate escape"],
    ["", "the request body is not a JSON object of string parameters"],
  ])("refuses %j", async (body, message) => {
    expect((await refusal(json(body))).message).toBe(message);
  });

  it("accepts application/json with charset=utf-8 only", async () => {
    expect((await read(post('{"a":"1"}', { "content-type": "application/json; charset=UTF-8" }))).get("a")).toBe("1");
    await refusal(post('{"a":"1"}', { "content-type": "application/json; charset=utf-16" }));
  });
});

describe("readParams: content types", () => {
  it.each(["text/plain", "multipart/form-data; boundary=x", "application/jsonx", "application/x-www-form-urlencoded+json"])(
    "refuses %j with 400, not 415 (RFC 6749 §5.2)",
    async (type) => {
      const error = await refusal(post("a=1", { "content-type": type }));
      expect(error.message).toBe(`the Content-Type must be ${FORM}`);
      expect(error.status).toBe(400);
    },
  );

  it.each(["", "application", "application/x-www-form-urlencoded; charset", 'a/b; c="d'])("refuses the malformed Content-Type %j", async (type) => {
    expect((await refusal(post("a=1", { "content-type": type }))).message).toMatch(/Content-Type/);
  });

  it("reads a hostile Content-Type in linear time", async () => {
    const started = performance.now();
    for (const type of [`${FORM}${" ".repeat(16000)}x`, `${FORM}${";a=b".repeat(4000)} ;x`, `${FORM}; a="${"\\a".repeat(8000)}`]) {
      await refusal(post("a=1", { "content-type": type }));
    }
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("reads an empty body without Content-Type as no parameters, and refuses a body without one", async () => {
    expect((await read(new Request(URL_, { method: "POST" }))).size).toBe(0);
    const request = post(new Blob(["a=1"]), {});
    request.headers.delete("content-type");
    expect((await refusal(request)).message).toMatch(/no Content-Type/);
  });
});

describe("readParams: body size", () => {
  it("reads a body of exactly maxBodyBytes and refuses one more byte", async () => {
    const body = `a=${"x".repeat(MAX - 2)}`;
    expect((await read(post(body))).get("a")).toHaveLength(MAX - 2);
    const error = await refusal(post(`${body}x`));
    expect(error.status).toBe(413);
    expect(error.message).toBe(`the request body is larger than ${MAX} bytes`);
    expect(error.detail).toMatch(/limits\.maxBodyBytes/);
  });

  it("refuses a Content-Length over the limit before reading anything", async () => {
    let pulls = 0;
    // highWaterMark 0: the stream is pulled only when someone reads it.
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(100));
        },
      },
      { highWaterMark: 0 },
    );
    const request = post(stream, { "content-type": FORM, "content-length": String(MAX + 1) });
    expect((await refusal(request)).status).toBe(413);
    expect(pulls).toBe(0);
  });

  it("stops reading an endless body without Content-Length once over the limit", async () => {
    let sent = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 256;
        controller.enqueue(new TextEncoder().encode("a".repeat(256)));
      },
      cancel() {
        cancelled = true;
      },
    });
    expect((await refusal(post(stream))).status).toBe(413);
    expect(sent).toBeLessThan(MAX + 4 * 256);
    expect(cancelled).toBe(true);
  });

  it("turns a failing body stream into invalid_request", async () => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("socket hang up"));
      },
    });
    expect((await refusal(post(stream))).message).toBe("the request body could not be read");
  });
});

describe("readParams: the query string", () => {
  it.each(["client_secret", "client_assertion"])("refuses %s in the URL (RFC 6749 §2.3.1)", async (name) => {
    const error = await refusal(post("grant_type=client_credentials", { "content-type": FORM }, `${URL_}?${name}=s3cret`));
    expect(error.message).toBe(`${name} must not be sent in the URL; send it in the request body (RFC 6749 section 2.3.1)`);
    expect(`${error.message} ${error.detail ?? ""}`).not.toContain("s3cret");
  });

  it("ignores other query parameters: the body is the request", async () => {
    const params = await read(post("grant_type=client_credentials", { "content-type": FORM }, `${URL_}?grant_type=password&scope=admin`));
    expect(Object.fromEntries(params)).toEqual({ grant_type: "client_credentials" });
  });
});

describe("readParams: properties", () => {
  const contentTypes = fc.oneof(
    fc.constantFrom(FORM, `${FORM}; charset=utf-8`, "application/json", "text/plain", "", "a/b; c", `${FORM}; charset="utf-8`),
    fc.string(),
  );

  it("never throws anything but OAuthError invalid_request, whatever the body and content type", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 2048 }), fc.json()), fc.option(contentTypes), async (body, type) => {
        const headers: Record<string, string> = {};
        if (type !== null) {
          try {
            new Headers({ "content-type": type });
            headers["content-type"] = type;
          } catch {
            // Not a header value a client could send.
          }
        }
        try {
          const params = await read(post(body, headers));
          expect(params).toBeInstanceOf(Map);
          for (const value of params.values()) expect(value).not.toBe("");
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
          expect((error as OAuthError).error).toBe("invalid_request");
          expect((error as OAuthError).message).toMatch(DESCRIPTION);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("reads back any set of distinct parameters a form encoder writes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, unit: "grapheme" }), fc.string({ minLength: 1, unit: "grapheme" }), { maxKeys: 10 }),
        async (entries) => {
          const body = new URLSearchParams(entries).toString();
          fc.pre(new TextEncoder().encode(body).length <= 16384);
          expect(Object.fromEntries(await read(post(body), 16384))).toEqual({ ...entries });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads back any flat object JSON.stringify writes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, unit: "grapheme" }), fc.string({ minLength: 1, unit: "grapheme" }), { maxKeys: 10 }),
        async (entries) => {
          const params = await read(post(JSON.stringify(entries), { "content-type": "application/json" }), 16384);
          expect(Object.fromEntries(params)).toEqual({ ...entries });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("readParams behind a real HTTP server", () => {
  let origin = "";
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const server = createAdaptorServer({
      fetch: async (request: Request) => {
        try {
          const params = await readParams(request, { maxBodyBytes: MAX });
          return Response.json(Object.fromEntries(params));
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

  function send(body: string | undefined, headers: Record<string, string>, chunks = 1): Promise<{ status: number; body: string }> {
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
      for (let i = 0; i < chunks; i++) request.write(body ?? "");
      request.end();
    });
  }

  it("reads a form body", async () => {
    const answer = await send("grant_type=client_credentials&scope=a+b", { "content-type": FORM });
    expect(answer).toEqual({ status: 200, body: '{"grant_type":"client_credentials","scope":"a b"}' });
  });

  it("answers 413 to a body declared too large", async () => {
    const body = "a".repeat(MAX + 1);
    const answer = await send(body, { "content-type": FORM, "content-length": String(body.length) });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: "invalid_request", error_description: `the request body is larger than ${MAX} bytes` });
  });

  it("answers 413 to a chunked body that grows too large", async () => {
    const answer = await send("a".repeat(512), { "content-type": FORM, "transfer-encoding": "chunked" }, 8);
    expect(answer.status).toBe(413);
  });
});
