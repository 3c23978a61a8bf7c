// The rotation schedule on a fake clock: publish before signing, keep
// publishing until every token of a retired key has expired, immediate
// rotation, revocation, automatic rotation, and the JWKS max-age.
import { join } from "node:path";
import fc from "fast-check";
import { compactVerify, createLocalJWKSet, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { generateSigningKey } from "../../src/keys/generate-key.js";
import type { LocalKeyManager } from "../../src/keys/key-manager.js";
import { readKeyset, updateKeyset } from "../../src/keys/key-store.js";
import type { Keyset } from "../../src/keys/keyset.js";
import { CLOCK_SKEW_SECONDS, rotateKeyset, type SchedulePolicy, signingKeyAt } from "../../src/keys/schedule.js";
import { fakeClock, KEEP, LEAD, LIFETIME, MAX_AGE, manager, tempDir } from "./fixtures.js";

async function signer(keys: LocalKeyManager): Promise<string | undefined> {
  return decodeProtectedHeader(await keys.sign({}, { sub: "x" })).kid;
}

function publishedKids(keys: LocalKeyManager): string[] {
  return keys.jwks().keys.map((jwk) => String(jwk.kid));
}

async function kidsOnDisk(directory: string): Promise<string[]> {
  return (await readKeyset(directory))?.keyset.keys.map((key) => key.kid) ?? [];
}

describe("rotate()", () => {
  it("publishes the new key at once, signs with it after the lead, and keeps the old one until its tokens expire", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory, { now: clock.now });
    const [oldKid] = publishedKids(keys);
    const t0 = clock.seconds();
    const oldToken = await keys.sign({}, { sub: "signed before rotation" });

    const added = await keys.rotate();
    expect(added).toMatchObject({ state: "next", createdAt: t0, activatesAt: t0 + LEAD, retiresAt: undefined, removeAt: undefined });
    expect(publishedKids(keys)).toEqual([oldKid, added.kid]);
    expect(keys.list().find((key) => key.kid === oldKid)).toMatchObject({ state: "signing", retiresAt: t0 + LEAD, removeAt: t0 + LEAD + KEEP });

    clock.advance(LEAD - 1);
    expect(await signer(keys)).toBe(oldKid);
    const lastOldToken = await keys.sign({}, { sub: "signed one second before the switch" });
    clock.advance(1);
    expect(await signer(keys)).toBe(added.kid);
    expect(keys.algorithm).toBe("ES256");
    expect(keys.list().map((key) => key.state)).toEqual(["retiring", "signing"]);

    // Until removeAt, every token the old key signed still verifies against what we publish.
    clock.advance(KEEP - 1);
    expect(publishedKids(keys)).toEqual([oldKid, added.kid]);
    const jwks = createLocalJWKSet(keys.jwks() as Parameters<typeof createLocalJWKSet>[0]);
    await compactVerify(oldToken, jwks);
    await compactVerify(lastOldToken, jwks);

    clock.advance(1);
    expect(publishedKids(keys)).toEqual([added.kid]);
    expect(keys.publicKey(String(oldKid))).toBeUndefined();
    expect(await kidsOnDisk(directory)).toEqual([oldKid, added.kid]);
    // refresh() drops it from the file too: the private key is gone for good.
    await keys.refresh();
    expect(await kidsOnDisk(directory)).toEqual([added.kid]);
  });

  it("immediate: the new key signs at once; the old one stays published until its tokens expire", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory, { now: clock.now });
    const [oldKid] = publishedKids(keys);
    const t0 = clock.seconds();
    const added = await keys.rotate({ immediate: true });
    expect(added).toMatchObject({ state: "signing", activatesAt: t0 });
    expect(await signer(keys)).toBe(added.kid);
    expect(keys.list().find((key) => key.kid === oldKid)).toMatchObject({ state: "retiring", retiresAt: t0, removeAt: t0 + KEEP });
    clock.advance(KEEP - 1);
    expect(publishedKids(keys)).toContain(oldKid);
    clock.advance(1);
    expect(publishedKids(keys)).toEqual([added.kid]);
  });

  it("revokePrevious: the previous keys leave the JWKS and the file at once", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory, { now: clock.now });
    await keys.rotate();
    const [oldKid, pendingKid] = publishedKids(keys);
    const oldToken = await keys.sign({}, { sub: "x" });
    const added = await keys.rotate({ revokePrevious: true });
    expect(publishedKids(keys)).toEqual([added.kid]);
    expect(await kidsOnDisk(directory)).toEqual([added.kid]);
    expect(await signer(keys)).toBe(added.kid);
    await expect(compactVerify(oldToken, createLocalJWKSet(keys.jwks() as Parameters<typeof createLocalJWKSet>[0]))).rejects.toThrow();
    expect([oldKid, pendingKid]).not.toContain(added.kid);
  });

  it("a second rotation before the first key activates chains the keys: each signs until the next one activates", async () => {
    const clock = fakeClock();
    const keys = await manager(join(await tempDir(), "keys"), { now: clock.now });
    const t0 = clock.seconds();
    const first = await keys.rotate();
    clock.advance(100);
    const second = await keys.rotate();
    const [initial, a, b] = keys.list();
    expect(initial).toMatchObject({ state: "signing", retiresAt: t0 + LEAD });
    expect(a).toMatchObject({ kid: first.kid, state: "next", activatesAt: t0 + LEAD, retiresAt: t0 + 100 + LEAD, removeAt: t0 + 100 + LEAD + KEEP });
    expect(b).toMatchObject({ kid: second.kid, state: "next", activatesAt: t0 + 100 + LEAD });
    clock.set(t0 + LEAD);
    expect(await signer(keys)).toBe(first.kid);
    clock.set(t0 + 100 + LEAD);
    expect(await signer(keys)).toBe(second.kid);
  });

  it("emits key_rotated events without key material", async () => {
    const events: Array<{ type: string; detail?: string }> = [];
    const keys = await manager(join(await tempDir(), "keys"), { onEvent: (event) => events.push(event) });
    const added = await keys.rotate({ immediate: true });
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("key_rotated");
    expect(events[0]?.detail).toContain(added.kid);
    expect(events[0]?.detail).toMatch(/immediate/);
  });
});

describe("automatic rotation", () => {
  it("rotates once the signing key is older than rotateAfterDays, once", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const events: string[] = [];
    const keys = await manager(directory, { now: clock.now, rotateAfterDays: 1, onEvent: (event) => events.push(event.type) });
    const [firstKid] = publishedKids(keys);
    clock.advance(86_400 - 1);
    await keys.refresh();
    expect(publishedKids(keys)).toEqual([firstKid]);
    clock.advance(1);
    await keys.refresh();
    await keys.refresh();
    const listed = keys.list();
    expect(listed).toHaveLength(2);
    expect(listed.map((key) => key.state)).toEqual(["signing", "next"]);
    expect(listed[1]?.activatesAt).toBe(clock.seconds() + LEAD);
    expect(events).toEqual(["key_rotated"]);
    // The new key signs after the lead; a day after its creation the next rotation comes.
    clock.advance(LEAD);
    expect(await signer(keys)).toBe(listed[1]?.kid);
    clock.advance(86_400 - LEAD);
    await keys.refresh();
    // The first key's tokens expired long ago: it was pruned in the same refresh.
    expect(keys.list().map((key) => [key.kid, key.state])).toEqual([
      [listed[1]?.kid, "signing"],
      [expect.any(String), "next"],
    ]);
    expect(publishedKids(keys)).not.toContain(firstKid);
  });

  it("happens at start-up when it is overdue", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    await manager(directory, { now: clock.now });
    clock.advance(3 * 86_400);
    const keys = await manager(directory, { now: clock.now, rotateAfterDays: 2 });
    expect(keys.list().map((key) => key.state)).toEqual(["signing", "next"]);
  });

  it("two instances due at the same moment rotate only once between them", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory, { now: clock.now, rotateAfterDays: 1 });
    const b = await manager(directory, { now: clock.now, rotateAfterDays: 1 });
    clock.advance(86_400);
    await Promise.all([a.refresh(), b.refresh()]);
    await Promise.all([a.refresh(), b.refresh()]);
    expect(await kidsOnDisk(directory)).toHaveLength(2);
    expect(publishedKids(a)).toEqual(publishedKids(b));
  });

  it("never happens with rotateAfterDays 0", async () => {
    const clock = fakeClock();
    const keys = await manager(join(await tempDir(), "keys"), { now: clock.now, rotateAfterDays: 0 });
    clock.advance(3650 * 86_400);
    await keys.refresh();
    expect(keys.list()).toHaveLength(1);
  });
});

describe("keysets that cannot sign", () => {
  it("rescues a keyset whose keys are all retired with an immediate rotation", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const t = clock.seconds();
    const retired = { ...(await generateSigningKey("ES256", t - 100)), retiresAt: t - 10, removeAt: t + 1000 };
    await updateKeyset(directory, () => ({ version: 1, keys: [retired] }));
    const keys = await manager(directory, { now: clock.now });
    expect(keys.list().map((key) => key.state)).toEqual(["retiring", "signing"]);
    expect(await signer(keys)).not.toBe(retired.kid);
  });

  it("signs with the upcoming key when this host's clock is behind the one that scheduled it", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const future = await generateSigningKey("EdDSA", clock.seconds() + 30);
    await updateKeyset(directory, () => ({ version: 1, keys: [future] }));
    const keys = await manager(directory, { now: clock.now, algorithm: "EdDSA" });
    expect(await signer(keys)).toBe(future.kid);
  });
});

describe("rotateKeyset()", () => {
  const policy: SchedulePolicy = { publishLeadSeconds: LEAD, maxTokenLifetimeSeconds: LIFETIME, rotateAfterDays: 0 };

  it("keeps exactly one signing key at every instant over random rotation sequences (property)", async () => {
    const pool = await Promise.all(Array.from({ length: 6 }, () => generateSigningKey("ES256", 0)));
    await fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2 * LEAD }), immediate: fc.boolean(), revokePrevious: fc.boolean() }), {
          minLength: 1,
          maxLength: pool.length - 1,
        }),
        fc.integer({ min: 0, max: 10 * LEAD }),
        (steps, probe) => {
          let now = 1_000_000;
          const first = pool[0];
          if (first === undefined) throw new Error("no key");
          let keyset: Keyset = { version: 1, keys: [{ ...first, createdAt: now, activatesAt: now }] };
          steps.forEach((step, index) => {
            now += step.gap;
            const fresh = pool[index + 1];
            if (fresh === undefined) throw new Error("no key");
            keyset = rotateKeyset(keyset, fresh, now, policy, step);
          });
          const at = now + probe;
          const active = keyset.keys.filter((key) => key.activatesAt <= at && (key.retiresAt === undefined || at < key.retiresAt));
          expect(active).toHaveLength(1);
          expect(signingKeyAt(keyset.keys, at)?.kid).toBe(active[0]?.kid);
          for (const key of keyset.keys) {
            if (key.retiresAt !== undefined) expect(key.removeAt).toBe(key.retiresAt + LIFETIME + CLOCK_SKEW_SECONDS);
          }
        },
      ),
    );
  });
});

describe("jwksMaxAgeSeconds()", () => {
  it("is jwksMaxAgeSeconds when nothing is scheduled, and never above the publish lead", async () => {
    const clock = fakeClock();
    const root = await tempDir();
    expect((await manager(join(root, "a"), { now: clock.now })).jwksMaxAgeSeconds()).toBe(MAX_AGE);
    expect((await manager(join(root, "b"), { now: clock.now, publishLeadSeconds: 120 })).jwksMaxAgeSeconds()).toBe(120);
    expect((await manager(join(root, "c"), { now: clock.now, publishLeadSeconds: 0 })).jwksMaxAgeSeconds()).toBe(0);
    expect((await manager(join(root, "d"), { now: clock.now, jwksMaxAgeSeconds: 0 })).jwksMaxAgeSeconds()).toBe(0);
  });

  it("never reaches past the moment a retired key leaves the JWKS", async () => {
    const clock = fakeClock();
    const keys = await manager(join(await tempDir(), "keys"), { now: clock.now });
    const t0 = clock.seconds();
    await keys.rotate({ immediate: true });
    clock.set(t0 + KEEP - 100);
    expect(keys.jwksMaxAgeSeconds()).toBe(100);
    clock.set(t0 + KEEP - 0.5);
    expect(keys.jwksMaxAgeSeconds()).toBe(0);
    clock.set(t0 + KEEP);
    expect(keys.jwksMaxAgeSeconds()).toBe(MAX_AGE);
  });

  it("never reaches past a due automatic rotation, and is 0 while one is overdue", async () => {
    const clock = fakeClock();
    const keys = await manager(join(await tempDir(), "keys"), { now: clock.now, rotateAfterDays: 1 });
    clock.advance(86_400 - 42);
    expect(keys.jwksMaxAgeSeconds()).toBe(42);
    clock.advance(42);
    expect(keys.jwksMaxAgeSeconds()).toBe(0);
    await keys.refresh();
    expect(keys.jwksMaxAgeSeconds()).toBe(MAX_AGE);
  });

  it("stays within its bounds at any moment of random schedules (property)", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory, { now: clock.now, publishLeadSeconds: 200, jwksMaxAgeSeconds: 500, maxTokenLifetimeSeconds: 300 });
    const t0 = clock.seconds();
    await keys.rotate({ immediate: true });
    clock.advance(50);
    await keys.rotate();
    const removals = keys.list().flatMap((key) => (key.removeAt === undefined ? [] : [key.removeAt]));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 * 10 }), (tenths) => {
        clock.set(t0 + tenths / 10);
        const now = clock.seconds();
        const maxAge = keys.jwksMaxAgeSeconds();
        expect(Number.isInteger(maxAge)).toBe(true);
        expect(maxAge).toBeGreaterThanOrEqual(0);
        expect(maxAge).toBeLessThanOrEqual(200);
        for (const removeAt of removals) if (removeAt > now) expect(now + maxAge).toBeLessThanOrEqual(removeAt);
      }),
    );
  });
});
