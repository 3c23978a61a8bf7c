// app/api/data/route.ts: a Next.js route handler file (the App Router).
import { protect, requireRoles, requireScopes } from "../../../src/adapters/web.js";
import { createVerifier, fromEnv } from "../../../src/index.js";

// Several route files should share one verifier: create it in a module of
// its own (say lib/auth.ts) and import it from each.
const verifier = createVerifier(fromEnv());

// GET /api/data: any valid token.
export const GET = protect(async (_request, { auth }) => Response.json({ sub: auth?.subject, scopes: auth?.scopes }), { verifier });

// POST /api/data: the write:data scope.
export const POST = protect(
  async (request, { auth }) => {
    const data: unknown = await request.json();
    return Response.json({ sub: auth?.subject, saved: data });
  },
  { verifier, guards: [requireScopes("write:data")] },
);

// DELETE /api/data: the admin role.
export const DELETE = protect(async (_request, { auth }) => Response.json({ sub: auth?.subject, deleted: true }), {
  verifier,
  guards: [requireRoles("admin")],
});
