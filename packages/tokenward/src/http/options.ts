import type { Guard } from "../authz/guards.js";
import { fromEnv } from "../config/from-env.js";
import { ConfigError } from "../errors/config-error.js";
import { createVerifier, type Verifier } from "../verifier/create-verifier.js";
import type { ResourceMetadata } from "./resource-metadata.js";

/** One decision of an adapter, for logs and metrics. Never the token, never a secret. */
export interface AuthDecision {
  readonly outcome: "accepted" | "rejected";
  /** `authentication` (the token) or `authorization` (a route's guards). */
  readonly stage: "authentication" | "authorization";
  /** The refusal's code (absent when accepted, and for an optional route without a token). */
  readonly code: string | undefined;
  readonly status: number;
  /** The operator's hint for a refusal: why, and what to change. */
  readonly hint: string | undefined;
  /** The issuer that vouched for the token, when it was verified. */
  readonly issuer: string | undefined;
  /** Milliseconds spent authenticating and authorizing. */
  readonly latencyMs: number;
  readonly method: string | undefined;
  readonly path: string | undefined;
}

export interface AuthOptions {
  /** The verifier; by default one is built from the environment (`fromEnv()`) when the middleware is created. */
  readonly verifier?: Verifier;
  /** Let requests without a token through (`auth` is then undefined); a bad token is still refused. */
  readonly optional?: boolean;
  /** Authorization after verification, e.g. `[requireScopes("read:data")]`. */
  readonly guards?: readonly Guard[];
  /** The realm of the Bearer challenge. Default "api". */
  readonly realm?: string;
  /** Accept `?access_token=` (RFC 6750 §2.3). Default false. */
  readonly allowQueryToken?: boolean;
  /** Accept `access_token` in a form body the framework parsed (RFC 6750 §2.2). Default false. */
  readonly allowBodyToken?: boolean;
  /** RFC 9728 metadata: its URL goes into every challenge as `resource_metadata`. */
  readonly resourceMetadata?: ResourceMetadata | string;
  /** Called once per decision: log it, count it. Exceptions it throws are ignored. */
  readonly onDecision?: (decision: AuthDecision) => void;
}

/** What every refusal needs: how to answer it and whom to tell. */
export interface ResponseOptions {
  readonly realm: string;
  readonly resourceMetadata: string | undefined;
  readonly onDecision: ((decision: AuthDecision) => void) | undefined;
}

export interface ResolvedAuthOptions extends ResponseOptions {
  readonly verifier: Verifier;
  readonly optional: boolean;
  readonly guards: readonly Guard[];
  readonly allowQueryToken: boolean;
  readonly allowBodyToken: boolean;
}

/** For route guards used without an authentication middleware before them. */
export const DEFAULT_RESPONSE_OPTIONS: ResponseOptions = Object.freeze({ realm: "api", resourceMetadata: undefined, onDecision: undefined });

/**
 * Where an authentication middleware leaves its options on the request
 * object, so the route guards after it answer with the same realm, metadata
 * and decision hook.
 */
export const RESPONSE_OPTIONS: unique symbol = Symbol.for("tokenward.responseOptions");

/** Checked when the middleware is created, so a misconfiguration stops the start, not a request. */
export function resolveAuthOptions(options: AuthOptions = {}): ResolvedAuthOptions {
  if (typeof options !== "object" || options === null) throw new ConfigError("options", "must be an object");
  const guards = options.guards ?? [];
  if (!Array.isArray(guards) || !guards.every((guard) => typeof guard === "function")) {
    throw new ConfigError("guards", "must be an array of guards such as requireScopes(...)");
  }
  if (options.onDecision !== undefined && typeof options.onDecision !== "function") throw new ConfigError("onDecision", "must be a function");
  const realm = options.realm ?? "api";
  if (typeof realm !== "string" || /["\\\r\n]/.test(realm)) throw new ConfigError("realm", "must be a string without quotes, backslashes or line breaks");
  return {
    verifier: options.verifier ?? createVerifier(fromEnv()),
    optional: options.optional === true,
    guards,
    realm,
    allowQueryToken: options.allowQueryToken === true,
    allowBodyToken: options.allowBodyToken === true,
    resourceMetadata: typeof options.resourceMetadata === "string" ? options.resourceMetadata : options.resourceMetadata?.url,
    onDecision: options.onDecision,
  };
}
