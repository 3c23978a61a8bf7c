interface Node<K, V> {
  key: K;
  value: V;
  bytes: number;
  /** The insertion count when the node was last put in front. */
  stamp: number;
  newer: Node<K, V> | undefined;
  older: Node<K, V> | undefined;
}

/**
 * A least-recently-used map bounded in entries and in (estimated) bytes, kept
 * as a doubly linked list. A hit moves its node to the front only once a
 * quarter of the capacity has been inserted since it was last put there: a
 * busy entry then stays in the newest three quarters (never near eviction),
 * and a hit on it usually touches nothing but the Map, not its neighbours'
 * cache lines. With small capacities this is exact LRU.
 */
export class Lru<V, K extends string | number = string> {
  private readonly map = new Map<K, Node<K, V>>();
  private newest: Node<K, V> | undefined;
  private oldest: Node<K, V> | undefined;
  private totalBytes = 0;
  private inserted = 0;
  private readonly promoteAfter: number;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {
    this.promoteAfter = Math.floor(maxEntries / 4);
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    if (node !== this.newest && this.inserted - node.stamp > this.promoteAfter) {
      this.unlink(node);
      this.pushNewest(node);
    }
    return node.value;
  }

  set(key: K, value: V, bytes: number): void {
    // The old value goes first, even when the new one is too large to keep:
    // a set never leaves an outdated value behind under its key.
    const existing = this.map.get(key);
    if (existing !== undefined) this.remove(existing);
    if (bytes > this.maxBytes) return;
    this.inserted++;
    const node: Node<K, V> = { key, value, bytes, stamp: 0, newer: undefined, older: undefined };
    this.map.set(key, node);
    this.pushNewest(node);
    this.totalBytes += bytes;
    while (this.oldest !== undefined && (this.map.size > this.maxEntries || this.totalBytes > this.maxBytes)) this.remove(this.oldest);
  }

  delete(key: K): void {
    const node = this.map.get(key);
    if (node !== undefined) this.remove(node);
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.oldest = undefined;
    this.totalBytes = 0;
  }

  private remove(node: Node<K, V>): void {
    this.unlink(node);
    this.map.delete(node.key);
    this.totalBytes -= node.bytes;
  }

  private unlink(node: Node<K, V>): void {
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }

  private pushNewest(node: Node<K, V>): void {
    node.stamp = this.inserted;
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = node;
    this.newest = node;
    if (this.oldest === undefined) this.oldest = node;
  }
}
