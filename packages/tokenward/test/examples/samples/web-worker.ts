// A Cloudflare Worker: variables arrive in `env`, not in process.env.
import { type Authenticator, createAuthenticator, requireScopes } from "../../../src/adapters/web.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

type Env = { TOKENWARD_ISSUER: string; TOKENWARD_AUDIENCE: string; TOKENWARD_JWKS_URI?: string };

// Built on the first request, then reused by every request this isolate serves.
let authenticate: Authenticator | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    authenticate ??= createAuthenticator({ verifier: createVerifier(fromEnv(env)), guards: [requireScopes("read:data")] });
    const result = await authenticate(request);
    if (!result.ok) return result.response;
    return Response.json({ sub: result.auth?.subject });
  },
};
