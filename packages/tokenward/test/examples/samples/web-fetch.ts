// A fetch handler for Bun (`bun run`), Deno (`deno serve`) and other runtimes that take `export default { fetch }`.
import { type Authenticator, createAuthenticator, requireRoles, requireScopes, type VerifiedToken } from "../../../src/adapters/web.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// One verifier, shared by every authenticator: it caches keys and verified tokens.
const verifier = createVerifier(fromEnv());

const anyToken = createAuthenticator({ verifier });
const tokenOrNone = createAuthenticator({ verifier, optional: true });
const writer = createAuthenticator({ verifier, guards: [requireScopes("write:data")] });
const admin = createAuthenticator({ verifier, guards: [requireRoles("admin")] });

type Handler = (auth: VerifiedToken | undefined) => Response;

const routes: Record<string, [Authenticator | undefined, Handler]> = {
  "GET /health": [undefined, () => Response.json({ status: "ok" })],
  "GET /hello": [tokenOrNone, (auth) => Response.json({ hello: auth?.subject ?? "stranger" })],
  "GET /api/me": [anyToken, (auth) => Response.json({ sub: auth?.subject, scopes: auth?.scopes })],
  "POST /api/data": [writer, (auth) => Response.json({ sub: auth?.subject, saved: true })],
  "GET /api/admin": [admin, (auth) => Response.json({ sub: auth?.subject, roles: auth?.roles })],
};

export default {
  async fetch(request: Request): Promise<Response> {
    const route = routes[`${request.method} ${new URL(request.url).pathname}`];
    if (route === undefined) return Response.json({ code: "not_found" }, { status: 404 });
    const [authenticator, handler] = route;
    if (authenticator === undefined) return handler(undefined);
    const result = await authenticator(request);
    // A refusal comes with its RFC 6750 answer: return it as is.
    if (!result.ok) return result.response;
    return handler(result.auth);
  },
};
