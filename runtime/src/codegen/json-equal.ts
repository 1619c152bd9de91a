/**
 * JSON Schema's equality of JSON values (`const`, `enum`): same JSON type, numbers by value, arrays
 * item by item, objects with the same keys and equal values at each (key order does not matter).
 * `false` is not `0` and `[1]` is not `[true]`, unlike loose comparisons.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item: unknown, i) => jsonEqual(item, b[i]));
  }
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return false;
  const left = a as Readonly<Record<string, unknown>>;
  const right = b as Readonly<Record<string, unknown>>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
