import { describe, expect, it } from "vitest";
import { Lru } from "../../src/cache/lru.js";

/** Which of `candidates` the cache holds, peeked at without a get (a get would change their recency). */
function present(lru: Lru<string>, candidates: readonly string[]): string[] {
  return candidates.filter((key) => (lru as unknown as { map: Map<string, unknown> }).map.has(key));
}

describe("the LRU behind the verified-token cache", () => {
  it("holds at most maxEntries entries, evicting the least recently inserted first", () => {
    const lru = new Lru<string>(3, 1_000_000);
    for (const key of ["a", "b", "c", "d", "e"]) lru.set(key, `value ${key}`, 10);
    expect(lru.size).toBe(3);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("c")).toBe("value c");
    expect(lru.get("d")).toBe("value d");
    expect(lru.get("e")).toBe("value e");
    expect(lru.bytes).toBe(30);
  });

  it("a get makes its entry the most recently used, so the next eviction takes another", () => {
    const lru = new Lru<string>(3, 1_000_000);
    lru.set("a", "A", 1);
    lru.set("b", "B", 1);
    lru.set("c", "C", 1);
    expect(lru.get("a")).toBe("A"); // a is now the newest; b the oldest
    lru.set("d", "D", 1);
    expect(present(lru, ["a", "b", "c", "d"])).toEqual(["a", "c", "d"]);
    expect(lru.get("c")).toBe("C"); // order now (oldest first): a, d, c
    lru.set("e", "E", 1);
    lru.set("f", "F", 1);
    expect(present(lru, ["a", "b", "c", "d", "e", "f"])).toEqual(["c", "e", "f"]);
  });

  it("a get of the newest entry, or of a missing key, changes nothing", () => {
    const lru = new Lru<string>(2, 100);
    lru.set("a", "A", 1);
    lru.set("b", "B", 1);
    expect(lru.get("b")).toBe("B");
    expect(lru.get("zzz")).toBeUndefined();
    lru.set("c", "C", 1);
    expect(present(lru, ["a", "b", "c"])).toEqual(["b", "c"]);
  });

  it("holds at most maxBytes, evicting the oldest entries until the new one fits", () => {
    const lru = new Lru<string>(100, 100);
    lru.set("a", "A", 40);
    lru.set("b", "B", 40);
    expect(lru.bytes).toBe(80);
    lru.set("c", "C", 50); // 130 > 100: a goes, 90 remain
    expect(lru.size).toBe(2);
    expect(lru.bytes).toBe(90);
    expect(lru.get("a")).toBeUndefined();
    lru.set("d", "D", 100); // exactly the bound: everything else goes
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(100);
    expect(lru.get("d")).toBe("D");
  });

  it("does not store an entry larger than maxBytes, and keeps what it holds", () => {
    const lru = new Lru<string>(10, 100);
    lru.set("a", "A", 60);
    lru.set("huge", "H", 101);
    expect(lru.get("huge")).toBeUndefined();
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(60);
    expect(lru.get("a")).toBe("A");
  });

  it("an oversized value set under an existing key removes the old value rather than leave it behind", () => {
    const lru = new Lru<string>(10, 100);
    lru.set("a", "old", 10);
    lru.set("a", "new and too large", 500);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
  });

  it("setting an existing key replaces its value and its bytes, and makes it the newest", () => {
    const lru = new Lru<string>(2, 100);
    lru.set("a", "A1", 30);
    lru.set("b", "B", 20);
    lru.set("a", "A2", 50);
    expect(lru.size).toBe(2);
    expect(lru.bytes).toBe(70);
    lru.set("c", "C", 5); // the oldest is now b
    expect(present(lru, ["a", "b", "c"])).toEqual(["a", "c"]);
    expect(lru.get("a")).toBe("A2");
    expect(lru.bytes).toBe(55);
  });

  it("delete removes one entry and its bytes; deleting a missing key is harmless", () => {
    const lru = new Lru<string>(10, 1000);
    lru.set("a", "A", 7);
    lru.set("b", "B", 11);
    lru.set("c", "C", 13);
    lru.delete("b");
    lru.delete("missing");
    expect(lru.size).toBe(2);
    expect(lru.bytes).toBe(20);
    expect(lru.get("b")).toBeUndefined();
    // The list stays linked across the hole: the oldest (a), then the newest (c), then nothing.
    lru.delete("a");
    lru.delete("c");
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
    lru.set("d", "D", 1);
    expect(lru.get("d")).toBe("D");
  });

  it("clear empties the cache and its byte count, and it works as new afterwards", () => {
    const lru = new Lru<string>(3, 1000);
    for (const key of ["a", "b", "c"]) lru.set(key, key, 100);
    lru.clear();
    expect(lru.size).toBe(0);
    expect(lru.bytes).toBe(0);
    expect(lru.get("a")).toBeUndefined();
    for (const key of ["d", "e", "f", "g"]) lru.set(key, key, 100);
    expect(lru.size).toBe(3);
    expect(lru.bytes).toBe(300);
    expect(lru.get("d")).toBeUndefined();
  });

  it("keeps its byte count exact and its bounds through a long random sequence (checked against a model)", () => {
    const maxEntries = 8;
    const maxBytes = 200;
    const promoteAfter = Math.floor(maxEntries / 4);
    const lru = new Lru<number>(maxEntries, maxBytes);
    // The model: an array, oldest first; a hit moves an entry to the end only
    // once more than a quarter of the capacity was inserted since it was last put there.
    let model: { key: string; value: number; bytes: number; stamp: number }[] = [];
    let inserted = 0;
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let step = 0; step < 5_000; step++) {
      const key = `k${random(20)}`;
      const operation = random(10);
      if (operation < 5) {
        const bytes = 1 + random(80);
        lru.set(key, step, bytes);
        model = model.filter((entry) => entry.key !== key);
        if (bytes <= maxBytes) {
          inserted++;
          model.push({ key, value: step, bytes, stamp: inserted });
          while (model.length > maxEntries || model.reduce((sum, entry) => sum + entry.bytes, 0) > maxBytes) model.shift();
        }
      } else if (operation < 9) {
        const found = model.find((entry) => entry.key === key);
        expect(lru.get(key)).toBe(found?.value);
        if (found !== undefined && found !== model.at(-1) && inserted - found.stamp > promoteAfter) {
          found.stamp = inserted;
          model = [...model.filter((entry) => entry !== found), found];
        }
      } else {
        lru.delete(key);
        model = model.filter((entry) => entry.key !== key);
      }
      const modelBytes = model.reduce((sum, entry) => sum + entry.bytes, 0);
      expect(lru.size).toBe(model.length);
      expect(lru.bytes).toBe(modelBytes);
      expect(lru.size).toBeLessThanOrEqual(maxEntries);
      expect(lru.bytes).toBeLessThanOrEqual(maxBytes);
    }
  });

  it("never evicts an entry that is hit at least once per three quarters of its capacity in insertions", () => {
    const lru = new Lru<number>(100, Number.MAX_SAFE_INTEGER);
    lru.set("busy", 1, 1);
    for (let i = 0; i < 10_000; i++) {
      lru.set(`cold-${i}`, i, 1);
      if (i % 74 === 0) expect(lru.get("busy")).toBe(1);
    }
    expect(lru.get("busy")).toBe(1);
    expect(lru.size).toBe(100);
  });
});
