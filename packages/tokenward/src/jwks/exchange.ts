export interface FetchLimits {
  /** The whole exchange, headers and body, must finish within this. */
  readonly timeoutMs: number;
  /** Bodies larger than this are refused without being buffered. */
  readonly maxBytes: number;
}

export type FetchFailureReason = "timeout" | "network" | "status" | "redirect" | "too_large" | "invalid_json";

export class FetchFailure extends Error {
  constructor(
    readonly reason: FetchFailureReason,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Reads a body, refusing (and aborting) once it passes `maxBytes`: never buffers more than the cap. */
export async function readCapped(response: Response, maxBytes: number, abort: () => void): Promise<Uint8Array> {
  const declared = response.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    abort();
    throw new FetchFailure("too_large", `the answer declares ${declared} bytes, over the limit of ${maxBytes}`);
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      abort();
      await reader.cancel().catch(() => undefined);
      throw new FetchFailure("too_large", `the answer exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * One HTTP exchange under the discipline every outbound request of tokenward
 * follows (JWKS, metadata, introspection): one deadline over the whole
 * exchange, headers and body; redirects refused, since every URL is
 * configured exactly and a redirect would let the answer (or, for a POST,
 * the credentials and the token) go somewhere else; the body read within a
 * byte cap while it streams. Failures are FetchFailures whose messages carry
 * the cause (ECONNREFUSED, a TLS error), never the request.
 */
export class Exchange {
  private readonly controller = new AbortController();
  private timedOut = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly limits: FetchLimits) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, limits.timeoutMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** The response's headers; `why` says, in a redirect's refusal, what a redirect would have done. */
  async send(fetchImpl: typeof fetch, url: string, init: RequestInit, why = ""): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(url, { ...init, signal: this.controller.signal, redirect: "manual" });
    } catch (cause) {
      if (this.timedOut) throw new FetchFailure("timeout", `no answer within ${this.limits.timeoutMs} ms`);
      const detail = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : "unknown error";
      throw new FetchFailure("network", `the request failed: ${detail}`);
    }
    if (response.status >= 300 && response.status < 400) {
      this.abort();
      throw new FetchFailure(
        "redirect",
        `it answered ${response.status} redirecting to ${response.headers.get("location") ?? "(no Location)"}; redirects are not followed${why}, configure the final URL`,
        response.status,
      );
    }
    return response;
  }

  /** The body, at most `maxBytes` (the limits' cap unless smaller). */
  async read(response: Response, maxBytes = this.limits.maxBytes): Promise<Uint8Array> {
    try {
      return await readCapped(response, maxBytes, () => this.abort());
    } catch (cause) {
      if (cause instanceof FetchFailure) throw cause;
      if (this.timedOut) throw new FetchFailure("timeout", `the body did not arrive within ${this.limits.timeoutMs} ms`);
      throw new FetchFailure("network", `reading the answer failed: ${cause instanceof Error ? cause.message : "unknown error"}`);
    }
  }

  /** Stops the exchange (an answer not worth reading). */
  abort(): void {
    this.controller.abort();
  }

  /** Always, when done: the deadline's timer must not outlive the exchange. */
  end(): void {
    clearTimeout(this.timer);
  }
}
