/**
 * A least-recently-used map bounded by entry count: a Map for lookup plus a doubly linked list for
 * recency. The shorter version, a Map re-inserted on every hit and evicted through
 * `map.keys().next()`, is slow at scale: V8 leaves deleted entries as holes at the front of the
 * table until it rehashes, so finding the oldest live key walks over thousands of them per eviction.
 */
interface Node<K, V> {
  readonly key: K;
  value: V;
  /** Toward the least recently used end. */
  older: Node<K, V> | undefined;
  /** Toward the most recently used end. */
  newer: Node<K, V> | undefined;
}

export class LruCache<K, V> {
  private readonly nodes = new Map<K, Node<K, V>>();
  private oldest: Node<K, V> | undefined;
  private newest: Node<K, V> | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LRU capacity must be a positive integer, got ${String(capacity)}`);
    }
  }

  get size(): number {
    return this.nodes.size;
  }

  has(key: K): boolean {
    return this.nodes.has(key);
  }

  /** Returns the cached value and marks it most recently used. */
  get(key: K): V | undefined {
    const node = this.nodes.get(key);
    if (node === undefined) return undefined;
    this.touch(node);
    return node.value;
  }

  /** Replaces the value of a cached key without changing its recency; false when the key is not cached. */
  update(key: K, value: V): boolean {
    const node = this.nodes.get(key);
    if (node === undefined) return false;
    node.value = value;
    return true;
  }

  set(key: K, value: V): void {
    const existing = this.nodes.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.touch(existing);
      return;
    }
    const node: Node<K, V> = { key, value, older: this.newest, newer: undefined };
    if (this.newest === undefined) this.oldest = node;
    else this.newest.newer = node;
    this.newest = node;
    this.nodes.set(key, node);
    if (this.nodes.size > this.capacity && this.oldest !== undefined) this.remove(this.oldest);
  }

  delete(key: K): void {
    const node = this.nodes.get(key);
    if (node !== undefined) this.remove(node);
  }

  clear(): void {
    this.nodes.clear();
    this.oldest = undefined;
    this.newest = undefined;
  }

  private touch(node: Node<K, V>): void {
    if (node === this.newest) return;
    this.unlink(node);
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest === undefined) this.oldest = node;
    else this.newest.newer = node;
    this.newest = node;
  }

  private remove(node: Node<K, V>): void {
    this.unlink(node);
    this.nodes.delete(node.key);
  }

  private unlink(node: Node<K, V>): void {
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
