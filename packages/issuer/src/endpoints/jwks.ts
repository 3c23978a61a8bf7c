// The JWK Set, RFC 7517 §5: the public keys only. Cache-Control follows the
// rotation schedule (keys/): a cache never holds the set past the moment a
// newly published key starts signing.

import type { IssuerContext } from "../context.js";
import type { PublicJwks } from "../keys/types.js";

const bodies = new WeakMap<PublicJwks, string>();

export function jwksEndpoint(ctx: IssuerContext): Response {
  const jwks = ctx.keys.jwks();
  let body = bodies.get(jwks);
  if (body === undefined) {
    body = JSON.stringify(jwks);
    bodies.set(jwks, body);
  }
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": `public, max-age=${ctx.keys.jwksMaxAgeSeconds()}`,
      "access-control-allow-origin": "*",
    },
  });
}
