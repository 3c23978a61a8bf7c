import { invalidOption, show } from "../errors.js";

/** The endpoints a mock issuer serves, as named by `fault`, `requestCount` and `clearFaults`. */
export const MOCK_ENDPOINTS = ["metadata", "jwks", "token", "introspection", "revocation"] as const;
export type MockEndpoint = (typeof MOCK_ENDPOINTS)[number];

/**
 * A failure to inject at one endpoint. Each applies to every request until
 * cleared, or to the next `times` requests only, after which the endpoint
 * answers normally again.
 */
export type Fault =
  /** Answer this status (default 503) with this body (default an OAuth-style error) instead of the real answer. */
  | { readonly kind: "status"; readonly status?: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>>; readonly times?: number }
  /** Destroy the connection without answering (the client sees ECONNRESET or "socket hang up"). */
  | { readonly kind: "reset"; readonly times?: number }
  /** Answer normally, `ms` milliseconds late (a slow endpoint; longer than the client's deadline: a timeout). */
  | { readonly kind: "delay"; readonly ms: number; readonly times?: number }
  /** The real JSON answer padded with whitespace to `bytes` (default 4 MiB): valid JSON, too large for a careful client. */
  | { readonly kind: "huge"; readonly bytes?: number; readonly times?: number }
  /** 200 with the real answer cut in half: not JSON. */
  | { readonly kind: "invalid-json"; readonly times?: number };

export const DEFAULT_HUGE_BYTES = 4 * 1024 * 1024;
const MAX_HUGE_BYTES = 1024 * 1024 * 1024;

function checkTimes(field: string, times: unknown): void {
  if (times !== undefined && (!Number.isInteger(times) || (times as number) < 1))
    throw invalidOption(`${field}.times`, "must be a whole number of requests, 1 or more");
}

export function checkEndpoint(field: string, endpoint: unknown): asserts endpoint is MockEndpoint {
  if (!(MOCK_ENDPOINTS as readonly unknown[]).includes(endpoint))
    throw invalidOption(field, `${show(endpoint)} is not an endpoint; they are ${MOCK_ENDPOINTS.join(", ")}`);
}

export function checkFault(endpoint: unknown, fault: unknown): asserts fault is Fault {
  checkEndpoint("fault", endpoint);
  const field = `fault(${JSON.stringify(endpoint)})`;
  if (typeof fault !== "object" || fault === null) throw invalidOption(field, 'takes a fault such as { kind: "status", status: 503 }');
  const given = fault as Record<string, unknown>;
  checkTimes(field, given.times);
  switch (given.kind) {
    case "status": {
      const status = given.status ?? 503;
      if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599)
        throw invalidOption(`${field}.status`, "must be an HTTP status from 200 to 599");
      if (
        given.headers !== undefined &&
        (typeof given.headers !== "object" || given.headers === null || !Object.values(given.headers).every((v) => typeof v === "string"))
      ) {
        throw invalidOption(`${field}.headers`, "must be an object of string header values");
      }
      return;
    }
    case "reset":
    case "invalid-json":
      return;
    case "delay":
      if (typeof given.ms !== "number" || !Number.isFinite(given.ms) || given.ms < 0) throw invalidOption(`${field}.ms`, "must be milliseconds, 0 or more");
      return;
    case "huge":
      if (given.bytes !== undefined && (!Number.isInteger(given.bytes) || (given.bytes as number) < 1 || (given.bytes as number) > MAX_HUGE_BYTES)) {
        throw invalidOption(`${field}.bytes`, `must be a whole number of bytes from 1 to ${MAX_HUGE_BYTES}`);
      }
      return;
    default:
      throw invalidOption(`${field}.kind`, `${show(given.kind)} is not one of status, reset, delay, huge, invalid-json`);
  }
}

/** The faults in force, per endpoint, with what remains of each `times`. */
export class FaultTable {
  private readonly faults = new Map<MockEndpoint, { fault: Fault; remaining: number }>();

  set(endpoint: MockEndpoint, fault: Fault): void {
    this.faults.set(endpoint, { fault: { ...fault }, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(endpoint?: MockEndpoint): void {
    if (endpoint === undefined) this.faults.clear();
    else this.faults.delete(endpoint);
  }

  /** The fault for this request, counting it against `times`. */
  take(endpoint: MockEndpoint): Fault | undefined {
    const entry = this.faults.get(endpoint);
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.faults.delete(endpoint);
    return entry.fault;
  }
}
