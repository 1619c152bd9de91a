import type { Table } from './table.js';

/**
 * A table of sets (Faust's SetTable): `add`, `discard` and `clear` per key. Each change writes the
 * key's whole set to the changelog, so the changelog stays compactable (Faust logs operations
 * instead, which cannot be compacted).
 */
export class SetTable<K, M> {
  constructor(readonly table: Table<K, M[], M[] | undefined>) {}

  get name(): string {
    return this.table.name;
  }

  get(key: K): ReadonlySet<M> {
    return new Set(this.table.get(key) ?? []);
  }

  has(key: K, member: M): boolean {
    return this.get(key).has(member);
  }

  add(key: K, ...members: M[]): void {
    const set = new Set(this.table.get(key) ?? []);
    const before = set.size;
    for (const member of members) set.add(member);
    if (set.size !== before) this.table.set(key, [...set]);
  }

  discard(key: K, ...members: M[]): void {
    const set = new Set(this.table.get(key) ?? []);
    let changed = false;
    for (const member of members) changed = set.delete(member) || changed;
    if (!changed) return;
    if (set.size === 0) this.table.delete(key);
    else this.table.set(key, [...set]);
  }

  clear(key: K): void {
    if (this.table.has(key)) this.table.delete(key);
  }

  *entries(): IterableIterator<[K, ReadonlySet<M>]> {
    for (const [key, members] of this.table.entries()) yield [key, new Set(members)];
  }
}
