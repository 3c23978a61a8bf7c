// Several writers on one key directory: issuer instances and the command
// line. Changes are seen after refresh(), concurrent rotations all land, the
// lock is exclusive and survives a dead holder, a broken file never stops
// signing with the keys already loaded.
import { chmod, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { KeyStoreError } from "../../src/keys/errors.js";
import { readKeyset, updateKeyset } from "../../src/keys/key-store.js";
import { parseKeyset } from "../../src/keys/keyset.js";
import { LOCK_FILE, withLock } from "../../src/keys/lock.js";
import { fakeClock, LEAD, manager, tempDir } from "./fixtures.js";

/** Waits (bounded) for something a timer does. */
async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe("two managers on one directory", () => {
  it("sees the other's rotation after refresh(), and switches signing key with it", async () => {
    const clock = fakeClock();
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory, { now: clock.now });
    const b = await manager(directory, { now: clock.now });
    const rotated = await a.rotate();
    expect(b.jwks().keys).toHaveLength(1);
    await b.refresh();
    expect(b.jwks()).toEqual(a.jwks());
    clock.advance(LEAD);
    expect(decodeProtectedHeader(await b.sign({}, {})).kid).toBe(rotated.kid);
  });

  it("a refresh racing an immediate rotation in the same manager never brings the old keyset back", async () => {
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory);
    const b = await manager(directory);
    for (let round = 0; round < 5; round++) {
      // b's write makes a's copy stale, so a's refresh reads the file while a rotates.
      await b.rotate();
      const [, rotated] = await Promise.all([a.refresh(), a.rotate({ immediate: true })]);
      expect(decodeProtectedHeader(await a.sign({}, {})).kid).toBe(rotated.kid);
    }
  });

  it("a refresh without changes on disk keeps the same JWKS object", async () => {
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory);
    const before = a.jwks();
    await a.refresh();
    await a.refresh();
    expect(a.jwks()).toBe(before);
  });

  it("concurrent rotations from two managers all land in one well-formed file", async () => {
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory);
    const b = await manager(directory);
    const results = await Promise.all([a.rotate(), b.rotate(), a.rotate(), b.rotate(), a.rotate({ immediate: true }), b.rotate()]);
    const text = await readFile(join(directory, "keyset.json"), "utf8");
    const keyset = parseKeyset(text, "keyset.json");
    expect(keyset.keys).toHaveLength(7);
    for (const result of results) expect(keyset.keys.map((key) => key.kid)).toContain(result.kid);
    // Exactly one key signs now and afterwards: the rotations serialized.
    await Promise.all([a.refresh(), b.refresh()]);
    expect(a.list()).toEqual(b.list());
    expect(a.list().filter((key) => key.state === "signing")).toHaveLength(1);
    expect(await readdir(directory)).not.toContain(LOCK_FILE);
  });

  it("an update waits for the lock held by another writer, then sees its result", async () => {
    const directory = join(await tempDir(), "keys");
    const a = await manager(directory);
    const order: string[] = [];
    let release: () => void = () => {};
    const held = withLock(directory, async () => {
      order.push("holder in");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("holder out");
    });
    await eventually(() => order.length > 0);
    const rotation = a.rotate().then(() => order.push("rotated"));
    await sleep(50);
    expect(order).toEqual(["holder in"]);
    release();
    await Promise.all([held, rotation]);
    expect(order).toEqual(["holder in", "holder out", "rotated"]);
  });
});

describe("the lock", () => {
  it("breaks a lock abandoned by a dead process", async () => {
    const directory = join(await tempDir(), "keys");
    await manager(directory);
    const lock = join(directory, LOCK_FILE);
    await writeFile(lock, "99999999 dead\n", { mode: 0o600 });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const ran = await withLock(directory, async () => "ran", { staleMs: 30_000 });
    expect(ran).toBe("ran");
    expect(await readdir(directory)).not.toContain(LOCK_FILE);
  });

  it("times out on a live lock with the file to delete if no other process runs", async () => {
    const directory = join(await tempDir(), "keys");
    await manager(directory);
    const lock = join(directory, LOCK_FILE);
    await writeFile(lock, "1 live\n", { mode: 0o600 });
    const error = await withLock(directory, async () => "ran", { staleMs: 10_000, timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).code).toBe("lock_timeout");
    expect((error as KeyStoreError).message).toContain(`delete ${lock}`);
    // The other process's lock is not ours to remove.
    expect(await readFile(lock, "utf8")).toBe("1 live\n");
  });

  it("refuses to write once another process broke the lock as stale", async () => {
    const directory = join(await tempDir(), "keys");
    await manager(directory);
    const before = await readFile(join(directory, "keyset.json"), "utf8");
    const error = await updateKeyset(
      directory,
      async (current) => {
        // Another process judges us dead and takes the lock.
        await rm(join(directory, LOCK_FILE));
        await writeFile(join(directory, LOCK_FILE), "2 other\n", { mode: 0o600 });
        if (current === undefined) throw new Error("no keyset");
        return { version: 1, keys: current.keys.map((key) => ({ ...key, removeAt: 1 })) };
      },
      { staleMs: 30_000 },
    ).catch((caught: unknown) => caught);
    expect((error as KeyStoreError).code).toBe("lock_lost");
    expect(await readFile(join(directory, "keyset.json"), "utf8")).toBe(before);
    expect(await readFile(join(directory, LOCK_FILE), "utf8")).toBe("2 other\n");
  });

  it("is released when the critical section throws", async () => {
    const directory = join(await tempDir(), "keys");
    await manager(directory);
    await expect(withLock(directory, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await readdir(directory)).not.toContain(LOCK_FILE);
  });
});

describe("a broken store while running", () => {
  it("keeps signing with the loaded keys when the file turns corrupt, and reports it", async () => {
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory);
    const jwks = keys.jwks();
    await writeFile(join(directory, "keyset.json"), "{ half", { mode: 0o600 });
    await expect(keys.refresh()).rejects.toMatchObject({ code: "corrupt_keyset" });
    expect(keys.jwks()).toBe(jwks);
    expect(decodeProtectedHeader(await keys.sign({}, {})).kid).toBe(jwks.keys[0]?.kid);
  });

  it("reports a file made readable by others", async () => {
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory);
    await chmod(join(directory, "keyset.json"), 0o644);
    await expect(keys.refresh()).rejects.toThrow(`chmod 600 ${join(directory, "keyset.json")}`);
  });

  it("reports a deleted file and keeps signing", async () => {
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory);
    await rm(join(directory, "keyset.json"));
    await expect(keys.refresh()).rejects.toMatchObject({ code: "store_missing" });
    await keys.sign({}, {});
  });

  it("the timer refreshes on its own and reports a failure once, not on every tick", async () => {
    const directory = join(await tempDir(), "keys");
    const errors: Error[] = [];
    const follower = await manager(directory, { reloadIntervalMs: 20, onError: (error) => errors.push(error) });
    const writer = await manager(directory);
    const rotated = await writer.rotate();
    await eventually(() => follower.jwks().keys.some((jwk) => jwk.kid === rotated.kid));
    await writeFile(join(directory, "keyset.json"), "not json", { mode: 0o600 });
    await eventually(() => errors.length > 0);
    // Ten more ticks of the same failure: still one report.
    await sleep(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/not valid JSON/);
    await follower.close();
  });

  it("a rewrite with identical content is not a change", async () => {
    const directory = join(await tempDir(), "keys");
    const keys = await manager(directory);
    const before = keys.jwks();
    const text = await readFile(join(directory, "keyset.json"), "utf8");
    await rm(join(directory, "keyset.json"));
    await writeFile(join(directory, "keyset.json"), text, { mode: 0o600 });
    await keys.refresh();
    expect(keys.jwks()).toBe(before);
    expect((await readKeyset(directory))?.keyset.keys).toHaveLength(1);
  });
});
