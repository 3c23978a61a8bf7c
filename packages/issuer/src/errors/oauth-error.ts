// An error answer of the authorization server, RFC 6749 §5.2: a JSON object
// with `error` and `error_description`, answered with Cache-Control: no-store
// and Pragma: no-cache. `detail` is for the operator's log only.

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "unsupported_token_type"
  | "temporarily_unavailable"
  | "server_error";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  // RFC 6749 §5.2: 401 when the client tried to authenticate via the Authorization header.
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  // RFC 8707 §2
  invalid_target: 400,
  // RFC 7009 §2.2.1
  unsupported_token_type: 400,
  temporarily_unavailable: 503,
  server_error: 500,
};

export interface OAuthErrorOptions {
  /** Overrides the default status (429 for a rate limit, for example). */
  status?: number;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
  /** Operator-only detail for logs: why, and what to change. Never sent. */
  detail?: string;
}

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly error: OAuthErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly detail: string | undefined;

  /** `description` is sent to the client (error_description): printable ASCII, no secrets. */
  constructor(error: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description);
    this.error = error;
    this.status = options.status ?? STATUS[error];
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  static is(value: unknown): value is OAuthError {
    return value instanceof OAuthError;
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}
