/** How a remote JWKS is fetched and cached. Every bound has a default; all are in milliseconds or bytes. */
export interface JwksOptions {
  /** Deadline for one fetch, headers and body. Default 5000. */
  timeoutMs?: number;
  /** Largest JWKS accepted; larger answers are cut off while streaming. Default 512 KiB. */
  maxBytes?: number;
  /** Most keys read from one JWKS. Default 100. */
  maxKeys?: number;
  /** After a fetch, how long an unknown `kid` fails fast instead of fetching again. Default 30000. */
  cooldownMs?: number;
  /** After a failed fetch with nothing cached, how long requests fail fast before trying again. Default 5000. */
  failureBackoffMs?: number;
  /** Freshness when the server sends no `Cache-Control: max-age`. Default 10 minutes. */
  defaultMaxAgeMs?: number;
  /** `max-age` is honoured within [minMaxAgeMs, maxMaxAgeMs]. Defaults 60 s and 24 h. */
  minMaxAgeMs?: number;
  maxMaxAgeMs?: number;
  /** How long past freshness the last good keys keep working while the endpoint fails. Default 24 h. */
  staleIfErrorMs?: number;
}

export type ResolvedJwksOptions = Required<JwksOptions>;

export const JWKS_DEFAULTS: ResolvedJwksOptions = Object.freeze({
  timeoutMs: 5_000,
  maxBytes: 512 * 1024,
  maxKeys: 100,
  cooldownMs: 30_000,
  failureBackoffMs: 5_000,
  defaultMaxAgeMs: 10 * 60_000,
  minMaxAgeMs: 60_000,
  maxMaxAgeMs: 24 * 3_600_000,
  staleIfErrorMs: 24 * 3_600_000,
});
