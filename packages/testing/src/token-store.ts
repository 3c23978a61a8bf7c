import { createHash, randomBytes } from "node:crypto";

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** A JWT's payload, read without verifying (only to find its jti for revocation). */
function unverifiedPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What introspection needs beyond the signature: the claims behind each opaque
 * token (they carry none themselves), and what was revoked. JWTs are revoked
 * by `jti` (RFC 7519 §4.1.7), or by their digest when they have none.
 */
export class TokenStore {
  private readonly opaque = new Map<string, Record<string, unknown>>();
  private readonly revokedJtis = new Set<string>();
  private readonly revokedDigests = new Set<string>();

  issueOpaque(claims: Record<string, unknown>): string {
    // 256 bits from the CSPRNG: unguessable, and nothing in it to decode.
    const token = randomBytes(32).toString("base64url");
    this.opaque.set(token, claims);
    return token;
  }

  opaqueClaims(token: string): Record<string, unknown> | undefined {
    return this.opaque.get(token);
  }

  revoke(token: string): void {
    if (this.opaque.delete(token)) return;
    const jti = unverifiedPayload(token)?.jti;
    if (typeof jti === "string") this.revokedJtis.add(jti);
    else this.revokedDigests.add(digest(token));
  }

  isRevoked(token: string, jti: unknown): boolean {
    return (typeof jti === "string" && this.revokedJtis.has(jti)) || this.revokedDigests.has(digest(token));
  }
}
