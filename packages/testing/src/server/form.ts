import type { IncomingMessage } from "node:http";

/** Larger bodies are refused (and drained, so the client still gets the answer). */
export const MAX_BODY_BYTES = 64 * 1024;

export type FormResult = { readonly params: URLSearchParams } | { readonly problem: string };

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2: the token
 * endpoint takes no other). Resolves with the parameters, or with the reason
 * the request is an invalid_request; never rejects.
 */
export function readForm(request: IncomingMessage): Promise<FormResult> {
  const type = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("error", () => resolve({ problem: "the request body could not be read" }));
    request.on("end", () => {
      if (size > MAX_BODY_BYTES) return resolve({ problem: `the body is larger than ${MAX_BODY_BYTES} bytes` });
      if (type !== "application/x-www-form-urlencoded") {
        return resolve({ problem: `the body must be application/x-www-form-urlencoded (RFC 6749 §3.2), not ${type === "" ? "absent" : JSON.stringify(type)}` });
      }
      resolve({ params: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) });
    });
  });
}

/**
 * One parameter's value. RFC 6749 §3.2: a parameter sent without a value is
 * treated as omitted, and none may be sent more than once.
 */
export function single(params: URLSearchParams, name: string): { value: string | undefined } | { problem: string } {
  const values = params.getAll(name).filter((value) => value !== "");
  if (values.length > 1) return { problem: `the ${name} parameter is repeated (RFC 6749 §3.2)` };
  return { value: values[0] };
}
