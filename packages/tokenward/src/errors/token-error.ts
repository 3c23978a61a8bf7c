import { TOKEN_ERRORS, type TokenErrorCode } from "./codes.js";

// A registry-wide symbol, so that `TokenError.is` recognises errors thrown by
// another copy of this package (the ESM/CJS dual-package hazard).
const BRAND = Symbol.for("tokenward.TokenError");

export interface TokenErrorOptions {
  /** For the operator: what went wrong and what to change. Never sent to clients. */
  hint: string;
  /** Overrides the client-safe default message of the code. Must stay client-safe. */
  message?: string;
  /** Scopes a route requires (for `insufficient_scope` challenges, RFC 6750 §3). */
  requiredScopes?: readonly string[];
  /** Seconds after which a retry may succeed (for 503 answers). */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * Why a token was refused. `code` and `status` are stable (CONTRACT.md);
 * `message` is safe to show a client; `hint` is for the operator only: it
 * names the cause and the fix and never contains the token or a secret.
 */
export class TokenError extends Error {
  override readonly name = "TokenError";
  readonly code: TokenErrorCode;
  readonly status: 400 | 401 | 403 | 503;
  readonly hint: string;
  readonly requiredScopes: readonly string[] | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: TokenErrorCode, options: TokenErrorOptions) {
    const entry = TOKEN_ERRORS[code];
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = entry.status;
    this.hint = options.hint;
    this.requiredScopes = options.requiredScopes;
    this.retryAfter = options.retryAfter;
  }

  /** True for a TokenError from any copy of tokenward (ESM or CJS). */
  static is(value: unknown): value is TokenError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** What may cross the wire: the hint stays on the server. */
  toJSON(): { code: TokenErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

Object.defineProperty(TokenError.prototype, BRAND, { value: true });
