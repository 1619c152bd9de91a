/**
 * A least-recently-used map bounded by entry count. A JavaScript Map iterates in insertion order, so
 * re-inserting on every hit keeps the least recently used entry first, where eviction finds it.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`LRU capacity must be a positive integer, got ${String(capacity)}`);
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Whether the key is cached; its value may itself be undefined only if V allows it. */
  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Returns the cached value and marks it most recently used. */
  get(key: K): V | undefined {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key) as V;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
