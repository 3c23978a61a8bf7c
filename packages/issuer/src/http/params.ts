// The parameters of a token, introspection or revocation request: the POST
// body, RFC 6749 §3.2 (application/x-www-form-urlencoded, UTF-8). A flat JSON
// object of strings is accepted too, as Auth0's token endpoint accepts it.
// Every refusal is an OAuthError invalid_request; nothing else escapes.

import { OAuthError } from "../errors/oauth-error.js";

export interface ReadParamsOptions {
  /** The largest body read; more is refused (413) without buffering it. */
  maxBodyBytes: number;
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
// Credentials in a URL end up in logs, proxies and browser history.
const NEVER_IN_QUERY = ["client_secret", "client_assertion"];

function invalid(description: string, detail?: string): OAuthError {
  return new OAuthError("invalid_request", description, detail === undefined ? {} : { detail });
}

/** A parameter name as it may appear in error_description: printable ASCII, short, or not at all. */
function named(name: string): string {
  return /^[\x21\x23-\x5B\x5D-\x7E]{1,64}$/.test(name) ? `the ${name} parameter` : "a parameter";
}

// RFC 9110 §8.3.1: media-type = type "/" subtype *( OWS ";" OWS parameter ), parameter values token or quoted-string.
// Matched against the trimmed header; no two unbounded runs are adjacent, so matching is linear.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^(${TOKEN}/${TOKEN})((?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*)[ \\t]*;?$`);
const PARAMETER = new RegExp(`;[ \\t]*(${TOKEN})=(${TOKEN}|"(?:[^"\\\\]|\\\\.)*")`, "g");

interface ContentType {
  readonly type: string;
  readonly charset: string | undefined;
}

// Clients send the same Content-Type on every request: the last parse is kept
// (one entry, immutable), so the regular expressions run once per distinct header.
let lastContentType: { header: string; parsed: ContentType } | undefined;

function parseContentType(header: string): ContentType {
  if (lastContentType?.header === header) return lastContentType.parsed;
  const parsed = parseMediaType(header);
  lastContentType = { header, parsed };
  return parsed;
}

function parseMediaType(header: string): ContentType {
  const match = MEDIA_TYPE.exec(header.trim());
  if (match === null) throw invalid("the Content-Type header is malformed; send application/x-www-form-urlencoded");
  let charset: string | undefined;
  for (const [, name = "", raw = ""] of (match[2] ?? "").matchAll(PARAMETER)) {
    if (name.toLowerCase() !== "charset") continue;
    charset = (raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw).toLowerCase();
  }
  return { type: (match[1] ?? "").toLowerCase(), charset };
}

function tooLarge(limit: number): OAuthError {
  return new OAuthError("invalid_request", `the request body is larger than ${limit} bytes`, {
    status: 413,
    detail: `limits.maxBodyBytes is ${limit}; raise it in the issuer configuration if legitimate requests are this large`,
  });
}

function unreadable(detail: string, error: unknown): OAuthError {
  return invalid("the request body could not be read", `${detail}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * A body whose Content-Length (at most `limit`, checked before) was declared:
 * read whole, without a web stream. The transport frames such a body by that
 * length (node:http's parser and nghttp2 refuse a message that runs past it,
 * RFC 9112 §6.3, RFC 9113 §8.1.1), so it is bounded before it is read; and
 * @hono/node-server answers arrayBuffer() straight from the socket, where
 * `body` would build a Request and two stream adapters. A body that still
 * disagrees with its Content-Length is refused.
 */
async function readDeclaredBody(request: Request, declared: number): Promise<Uint8Array> {
  let buffer: ArrayBuffer;
  try {
    buffer = await request.arrayBuffer();
  } catch (error) {
    throw unreadable("the body could not be read", error);
  }
  if (buffer.byteLength !== declared) {
    throw invalid("the request body does not match its Content-Length", `Content-Length ${declared}, body ${buffer.byteLength} bytes`);
  }
  return new Uint8Array(buffer);
}

/** Reads at most `limit` bytes; one more and the stream is abandoned, so a huge body is never held in memory. */
async function readBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = body.getReader();
  } catch (error) {
    throw unreadable("getReader failed", error);
  }
  for (;;) {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await reader.read();
    } catch (error) {
      throw unreadable("the body stream failed", error);
    }
    if (result.done) break;
    const chunk = result.value;
    if (!(chunk instanceof Uint8Array)) throw invalid("the request body could not be read", "the body stream yielded a non-byte chunk");
    size += chunk.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  // A small body usually arrives as one chunk: no copy then.
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw invalid("the request body is not valid UTF-8");
  }
}

/**
 * RFC 6749 §3.2: "Parameters sent without a value MUST be treated as if they
 * were omitted from the request. ... Request and response parameters MUST NOT
 * be included more than once." An empty copy counts as omitted, so `a=&a=1`
 * is `a=1`, while `a=1&a=2` is refused: which copy wins would otherwise differ
 * between this server and anything in front of it (parameter pollution).
 */
function add(params: Map<string, string>, name: string, value: string | undefined): void {
  if (name === "") throw invalid("a parameter has no name");
  if (value === undefined || value === "") return;
  if (params.has(name)) {
    // RFC 8707 §2 lets a client name several resources; this server issues a
    // token for one audience at a time, which §2 answers with invalid_target.
    if (name === "resource") throw new OAuthError("invalid_target", "this server issues a token for one resource at a time; send one resource parameter");
    throw invalid(`${named(name)} is included more than once; send each parameter once (RFC 6749 section 3.2)`);
  }
  params.set(name, value);
}

// application/x-www-form-urlencoded (WHATWG URL §5.1), but strict: a "%" not
// followed by two hex digits, or escapes that are not UTF-8, are refused
// rather than passed through as the lenient URLSearchParams would.
function decodeFormComponent(raw: string): string {
  // Without a "%" there is nothing to decode but "+" (most names and many values).
  if (!raw.includes("%")) return raw.includes("+") ? raw.replaceAll("+", " ") : raw;
  const text = raw.replaceAll("+", " ");
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw invalid("the request body has a malformed percent-encoding (a % not followed by two hex digits)");
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid("the request body has percent-encoded bytes that are not UTF-8");
  }
}

function parseForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const piece of text.split("&")) {
    if (piece === "") continue;
    const at = piece.indexOf("=");
    const name = decodeFormComponent(at === -1 ? piece : piece.slice(0, at));
    add(params, name, at === -1 ? undefined : decodeFormComponent(piece.slice(at + 1)));
  }
  return params;
}

/**
 * Where the JSON string (RFC 8259 §7) starting at `at` ends (the index after
 * its closing quote), or -1 when there is none: no raw control characters,
 * only the defined escapes. One pass, no backtracking.
 */
function jsonStringEnd(text: string, at: number): number {
  if (text[at] !== '"') return -1;
  let index = at + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) return -1;
    if (code !== 0x5c) {
      index++;
      continue;
    }
    const escaped = text[index + 1];
    if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) index += 2;
    else if (escaped === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(index + 2, index + 6))) index += 6;
    else return -1;
  }
  return -1;
}
// JSON lets \uD800 stand alone; such a string has no UTF-8 form (String.prototype.isWellFormed is ES2024).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A flat JSON object of string values. Written by hand rather than with
 * JSON.parse because JSON.parse keeps the last of two equal keys silently,
 * and a repeated parameter must be refused here as in a form.
 */
function parseJson(text: string): Map<string, string> {
  const params = new Map<string, string>();
  let at = 0;
  const space = () => {
    while (at < text.length && (text[at] === " " || text[at] === "\t" || text[at] === "\n" || text[at] === "\r")) at++;
  };
  const string = (): string | undefined => {
    const end = jsonStringEnd(text, at);
    if (end === -1) return undefined;
    const value = JSON.parse(text.slice(at, end)) as string;
    at = end;
    if (LONE_SURROGATE.test(value)) throw invalid("the JSON body has a string with an unpaired surrogate escape");
    return value;
  };
  const notJson = () => invalid("the request body is not a JSON object of string parameters");
  space();
  if (text[at] !== "{") throw notJson();
  at++;
  space();
  if (text[at] === "}") at++;
  else {
    for (;;) {
      space();
      const name = string();
      if (name === undefined) throw notJson();
      space();
      if (text[at] !== ":") throw notJson();
      at++;
      space();
      if (text[at] === '"') {
        const value = string();
        if (value === undefined) throw notJson();
        add(params, name, value);
      } else if (text.startsWith("null", at)) {
        // JSON's spelling of "no value": treated as omitted, like an empty form value.
        at += 4;
        add(params, name, undefined);
      } else {
        throw invalid(`${named(name)} must be a string in a JSON body`);
      }
      space();
      if (text[at] === ",") {
        at++;
        continue;
      }
      if (text[at] === "}") {
        at++;
        break;
      }
      throw notJson();
    }
  }
  space();
  if (at !== text.length) throw notJson();
  return params;
}

function declaredLength(request: Request): number | undefined {
  const header = request.headers.get("content-length");
  if (header === null) return undefined;
  if (!/^[0-9]{1,15}$/.test(header.trim())) throw invalid("the Content-Length header is not a number");
  return Number(header.trim());
}

/**
 * The parameters of a POST to the token, introspection or revocation
 * endpoint. Empty values are dropped (RFC 6749 §3.2); a repeated parameter,
 * a body over `maxBodyBytes`, another media type or charset, bad UTF-8 or
 * percent-encoding are each an invalid_request naming the problem.
 */
export async function readParams(request: Request, options: ReadParamsOptions): Promise<Map<string, string>> {
  const limit = options.maxBodyBytes;
  let query: URLSearchParams | undefined;
  // Parsed only when there is a query at all: token requests normally have none.
  if (request.url.includes("?")) {
    try {
      query = new URL(request.url).searchParams;
    } catch {
      query = undefined;
    }
  }
  for (const name of NEVER_IN_QUERY) {
    // RFC 6749 §2.3.1: the client credentials "MUST NOT be included in the request URI".
    if (query?.has(name) === true) throw invalid(`${name} must not be sent in the URL; send it in the request body (RFC 6749 section 2.3.1)`);
  }
  const declared = declaredLength(request);
  if (declared !== undefined && declared > limit) throw tooLarge(limit);
  const header = request.headers.get("content-type");
  const contentType = header === null ? undefined : parseContentType(header);
  if (contentType !== undefined && contentType.type !== FORM && contentType.type !== JSON_TYPE) {
    // RFC 6749 §3.2 requires the form encoding; its errors are 400, so no 415 here.
    throw invalid(`the Content-Type must be ${FORM}`, `got ${JSON.stringify(contentType.type.slice(0, 100))}`);
  }
  if (contentType?.charset !== undefined && contentType.charset !== "utf-8") {
    throw invalid("the request body must be UTF-8 (charset=utf-8, or no charset)");
  }
  // Without Content-Length (chunked, or a stream handed in-process) the cap is enforced while reading.
  const bytes = declared === undefined ? await readBody(request.body, limit) : await readDeclaredBody(request, declared);
  if (contentType === undefined) {
    if (bytes.byteLength === 0) return new Map();
    throw invalid(`the request has a body but no Content-Type; send ${FORM}`);
  }
  const text = decodeUtf8(bytes);
  return contentType.type === FORM ? parseForm(text) : parseJson(text);
}
