/**
 * Tagged branches of Avro unions: a branch whose model type another branch shares (a timestamp and a
 * string, an int and a float, an enum and a string) holds `{ branch, value }` objects, so that the
 * codec writes the branch the value belongs to, as Apache Avro Java does for a datum of that branch.
 */
import { deref } from './descriptors.js';
import type { Branch, TypeDesc, UnionDesc } from './descriptors.js';
import { isObjectLike } from './issues.js';

/** Avro's branch name: the full name of named types, the type name otherwise (logical types use their base). */
export function avroBranchName(desc: TypeDesc): string {
  const d = deref(desc);
  switch (d.k) {
    case 'record':
    case 'enum':
    case 'fixed':
      return d.name;
    case 'logical':
      return avroBranchName(d.base);
    default:
      return d.k;
  }
}

export function isTagged(d: UnionDesc, index: number): boolean {
  return d.tagged !== undefined && d.tagged.includes(index);
}

/** A `{ branch: string, value }` object (whatever its branch names). */
export function looksTagged(value: unknown): value is Branch<string, unknown> {
  return isObjectLike(value) && typeof value['branch'] === 'string' && Object.hasOwn(value, 'value');
}

/** Index of the tagged branch that a `{ branch, value }` value names, or -1. */
export function taggedIndex(d: UnionDesc, value: unknown): number {
  if (d.tagged === undefined || !looksTagged(value)) return -1;
  for (const i of d.tagged) {
    const branch = d.branches[i];
    if (branch !== undefined && avroBranchName(branch) === value.branch) return i;
  }
  return -1;
}

/** The branch value inside a tagged value, or the value itself for a plain branch. */
export function branchValue(d: UnionDesc, index: number, value: unknown): unknown {
  return isTagged(d, index) ? (value as Branch<string, unknown>).value : value;
}

/** The model value of a branch: tagged when the branch is. */
export function toBranchValue(d: UnionDesc, index: number, inner: unknown): unknown {
  const branch = d.branches[index];
  if (!isTagged(d, index) || branch === undefined) return inner;
  return { branch: avroBranchName(branch), value: inner };
}

const plainViews = new WeakMap<UnionDesc, UnionDesc>();

/** The union without its tagged branches: what plain (untagged) values are matched against. */
export function plainView(d: UnionDesc): UnionDesc {
  let view = plainViews.get(d);
  if (view === undefined) {
    const { tagged: _tagged, ...rest } = d;
    view = { ...rest, branches: d.branches.filter((_, i) => !isTagged(d, i)) };
    plainViews.set(d, view);
  }
  return view;
}

/** The tag names a union accepts, for messages: `"long", "string"`. */
export function tagNames(d: UnionDesc): string {
  return (d.tagged ?? []).map((i) => d.branches[i]).filter((b) => b !== undefined).map((b) => JSON.stringify(avroBranchName(b))).join(', ');
}
