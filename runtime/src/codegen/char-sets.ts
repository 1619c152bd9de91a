/**
 * Sets of Unicode code points as sorted, disjoint, non-adjacent ranges: what one character of a
 * regular expression (a literal, `.`, `\d`, a class) can match, for the pattern safety check.
 */
export type CharSet = readonly (readonly [number, number])[];

export const MAX_CODE_POINT = 0x10ffff;

export const EMPTY: CharSet = [];

export function single(cp: number): CharSet {
  return [[cp, cp]];
}

export function range(lo: number, hi: number): CharSet {
  return lo <= hi ? [[lo, hi]] : EMPTY;
}

/** The union of sets, normalised (sorted, overlapping and adjacent ranges merged). */
export function union(...sets: CharSet[]): CharSet {
  const all = sets.flat().slice().sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Every code point not in the set. */
export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of union(set)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

export function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x === undefined || y === undefined) return false;
    if (x[1] < y[0]) i++;
    else if (y[1] < x[0]) j++;
    else return true;
  }
  return false;
}

export function contains(set: CharSet, cp: number): boolean {
  return set.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** ECMA-262 `\d`. */
export const DIGIT: CharSet = range(0x30, 0x39);
/** ECMA-262 `\w` without the `i` flag (JSON Schema patterns have no flags). */
export const WORD: CharSet = union(range(0x30, 0x39), range(0x41, 0x5a), single(0x5f), range(0x61, 0x7a));
/** ECMA-262 `\s`: WhiteSpace (with Unicode's Zs) and LineTerminator. */
export const SPACE: CharSet = union(
  range(0x09, 0x0d),
  single(0x20),
  single(0xa0),
  single(0x1680),
  range(0x2000, 0x200a),
  range(0x2028, 0x2029),
  single(0x202f),
  single(0x205f),
  single(0x3000),
  single(0xfeff),
);
/** ECMA-262 `.` without the `s` flag: anything but a line terminator. */
export const DOT: CharSet = complement(union(single(0x0a), single(0x0d), range(0x2028, 0x2029)));
