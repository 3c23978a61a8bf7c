import { ConfigError } from "../errors/config-error.js";

/** RFC 9728 §2: what a protected resource says about itself. */
export interface ResourceMetadataOptions {
  /** The resource identifier: this API's URL (https, no fragment). */
  readonly resource: string;
  /** Issuers of the authorization servers whose tokens this API takes. */
  readonly authorizationServers?: readonly string[];
  readonly scopesSupported?: readonly string[];
  /** How tokens may be sent; default ["header"]. */
  readonly bearerMethodsSupported?: readonly ("header" | "body" | "query")[];
  readonly resourceName?: string;
  readonly resourceDocumentation?: string;
  /** Anything else RFC 9728 §2 defines (e.g. `dpop_bound_access_tokens_required`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface ResourceMetadata {
  /** Where to serve it: `/.well-known/oauth-protected-resource`, with the resource's path appended (RFC 9728 §3.1). */
  readonly path: string;
  /** The absolute URL of the document, for the `resource_metadata` challenge parameter (§5.1). */
  readonly url: string;
  readonly document: Readonly<Record<string, unknown>>;
}

/** Builds the RFC 9728 document and where it lives; checked at start-up. */
export function protectedResourceMetadata(options: ResourceMetadataOptions): ResourceMetadata {
  let url: URL;
  try {
    url = new URL(options.resource);
  } catch {
    throw new ConfigError("resource", `${JSON.stringify(options.resource)} is not an absolute URL (RFC 9728 §2)`);
  }
  if (url.hash !== "") throw new ConfigError("resource", "must not have a fragment (RFC 9728 §1.2)");
  // RFC 9728 §3.1: the well-known segment goes between host and path.
  const resourcePath = url.pathname === "/" ? "" : url.pathname.replace(/\/+$/, "");
  const path = `/.well-known/oauth-protected-resource${resourcePath}`;
  const document: Record<string, unknown> = {
    ...options.extra,
    resource: options.resource,
    ...(options.authorizationServers === undefined ? {} : { authorization_servers: [...options.authorizationServers] }),
    ...(options.scopesSupported === undefined ? {} : { scopes_supported: [...options.scopesSupported] }),
    bearer_methods_supported: [...(options.bearerMethodsSupported ?? ["header"])],
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...(options.resourceDocumentation === undefined ? {} : { resource_documentation: options.resourceDocumentation }),
  };
  // §3.1 again: a query component of the resource stays after the inserted path (the route matches the path alone).
  return Object.freeze({ path, url: `${url.origin}${path}${url.search}`, document: Object.freeze(document) });
}
