/** Why a mock issuer refused a call from your test code. */
export type MockIssuerErrorCode =
  /** An option of createMockIssuer, mint, rotate or fault is wrong; `option` names it. */
  | "invalid_option"
  /** The server could not listen (the port is taken). */
  | "listen_failed"
  /** The issuer was closed; create a new one. */
  | "closed"
  /** jose could not sign with the chosen key (e.g. an `alg` header that does not fit the key). */
  | "signing_failed";

/**
 * Thrown by the mock issuer's own API, never sent over HTTP. `message` names
 * the cause and the fix; it never contains a private key or a client secret.
 */
export class MockIssuerError extends Error {
  override readonly name = "MockIssuerError";
  readonly code: MockIssuerErrorCode;
  /** The option at fault, e.g. `keys[0].privateKey` or `mint.header.alg`. */
  readonly option: string | undefined;

  constructor(code: MockIssuerErrorCode, message: string, option?: string) {
    super(option === undefined ? message : `${option}: ${message}`);
    this.code = code;
    this.option = option;
  }
}

export function invalidOption(option: string, message: string): MockIssuerError {
  return new MockIssuerError("invalid_option", message, option);
}

/** A value for an error message: JSON, cut short. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
