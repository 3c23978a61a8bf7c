// app/api/me/route.ts: the shortest form, configured from TOKENWARD_* variables.
import { authenticate } from "../../../src/adapters/web.js";

export async function GET(request: Request): Promise<Response> {
  const result = await authenticate(request);
  // A refusal comes with its RFC 6750 answer (401, 400 or 503): return it as is.
  if (!result.ok) return result.response;
  return Response.json({ sub: result.auth?.subject, scopes: result.auth?.scopes });
}
