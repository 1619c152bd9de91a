/**
 * Validation of model-form values (what generated classes hold and what codecs encode), collecting
 * every issue with its path rather than stopping at the first.
 */
import { jsonEqual } from './json-equal.js';
import { deref } from './descriptors.js';
import type { RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { childPath, describeValue, indexPath, isObjectLike } from './issues.js';
import type { ValidationIssue } from './issues.js';
import { checkNumberRules, checkStringRules, logicalProblem } from './rules.js';
import { describeDesc, shapeOfValue, shapesOf } from './shapes.js';
import { isTagged, looksTagged, plainView, tagNames, taggedIndex } from './union-tags.js';

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** avsc's long range: one less than Number.MAX_SAFE_INTEGER on both sides. */
export function isSafeLong(value: unknown): value is number {
  return Number.isSafeInteger(value) && Math.abs(value as number) <= 9_007_199_254_740_990;
}

export { isObjectLike, logicalProblem };


export function checkValue(desc: TypeDesc, value: unknown, path: string, issues: ValidationIssue[]): void {
  const d = deref(desc);
  const fail = (expected: string): void => {
    issues.push({ path, message: `expected ${expected}, got ${describeValue(value)}` });
  };
  switch (d.k) {
    case 'null':
      if (value !== null) fail('null');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('a boolean');
      return;
    case 'int':
      if (!Number.isInteger(value) || (value as number) < INT_MIN || (value as number) > INT_MAX) fail('a 32-bit integer');
      return;
    case 'long':
      if (!isSafeLong(value)) fail('an integer with |n| <= 2^53 - 2');
      return;
    case 'float':
    case 'double':
      if (typeof value !== 'number') fail('a number');
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(d.rules.integer === true ? 'an integer' : 'a number');
      else checkNumberRules(d.rules, value, path, issues);
      return;
    case 'string':
      if (typeof value !== 'string') fail('a string');
      else if (d.rules !== undefined) checkStringRules(d.rules, value, path, issues);
      return;
    case 'bytes':
      if (!Buffer.isBuffer(value)) fail('bytes (a Buffer)');
      return;
    case 'fixed':
      if (!Buffer.isBuffer(value) || value.length !== d.size) fail(`${d.size} bytes (${d.name})`);
      return;
    case 'unknown':
      if (!isJsonCompatible(value)) fail('a JSON value');
      return;
    case 'never':
      fail('no value (the schema is `false`)');
      return;
    case 'literal':
      if (!d.values.some((v) => jsonEqual(v, value))) fail(describeDesc(d));
      return;
    case 'enum':
      if (typeof value !== 'string' || !d.symbols.includes(value)) fail(`one of ${d.symbols.map((s) => JSON.stringify(s)).join(', ')}`);
      return;
    case 'array':
      if (!Array.isArray(value)) return fail('an array');
      checkCount(value.length, d.minItems, d.maxItems, path, issues);
      value.forEach((item: unknown, i) => checkValue(d.items, item, indexPath(path, i), issues));
      return;
    case 'tuple': {
      if (!Array.isArray(value)) return fail('an array');
      const max = d.rest === null ? d.prefix.length : d.maxItems;
      checkCount(value.length, d.required, max, path, issues);
      value.forEach((item: unknown, i) => {
        const itemDesc = d.prefix[i] ?? d.rest;
        if (itemDesc !== null) checkValue(itemDesc, item, indexPath(path, i), issues);
      });
      return;
    }
    case 'map':
      if (!isObjectLike(value)) return fail('an object (map)');
      for (const [key, item] of Object.entries(value)) checkValue(d.values, item, childPath(path, key), issues);
      return;
    case 'union':
      return checkUnion(d, value, path, issues);
    case 'logical': {
      const problem = logicalProblem(d, value);
      if (problem !== undefined) issues.push({ path, message: problem });
      return;
    }
    case 'record':
      return checkRecord(d, value, path, issues);
  }
}

export function checkRecord(d: RecordDesc, value: unknown, path: string, issues: ValidationIssue[]): void {
  if (!isObjectLike(value)) {
    issues.push({ path, message: `expected record ${d.name}, got ${describeValue(value)}` });
    return;
  }
  for (const field of d.fields) {
    const fieldPath = childPath(path, field.name);
    const fieldValue = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
    if (fieldValue === undefined) {
      if (field.optional !== true) issues.push({ path: fieldPath, message: 'missing required field' });
      continue;
    }
    checkValue(field.type, fieldValue, fieldPath, issues);
  }
  // The same rule as decoding (additionalProperties): keys that are no field are refused or checked.
  if (d.extra === 'allow') return;
  for (const [key, extra] of Object.entries(value)) {
    if (key === '__faust' || extra === undefined || d.fields.some((f) => f.name === key)) continue;
    if (d.extra === 'reject') issues.push({ path: childPath(path, key), message: `unexpected property in ${d.name}` });
    else checkValue(d.extra, extra, childPath(path, key), issues);
  }
}

export function matches(desc: TypeDesc, value: unknown): boolean {
  const issues: ValidationIssue[] = [];
  checkValue(desc, value, '$', issues);
  return issues.length === 0;
}

/** Index of the branch a model-form value belongs to, or -1. Record instances pick their own class. */
export function selectBranch(d: UnionDesc, value: unknown): number {
  if (d.tagged !== undefined) {
    const tagged = taggedIndex(d, value);
    if (tagged >= 0) return tagged;
  }
  if (d.discriminator !== undefined && isObjectLike(value)) {
    const tag = value[d.discriminator.property];
    return typeof tag === 'string' ? d.discriminator.values.indexOf(tag) : -1;
  }
  const byClass = d.branches.findIndex((b) => {
    const target = deref(b);
    return target.k === 'record' && target.isInstance(value);
  });
  if (byClass >= 0) return byClass;
  return d.branches.findIndex((b, i) => !isTagged(d, i) && matches(b, value));
}

function checkUnion(d: UnionDesc, value: unknown, path: string, issues: ValidationIssue[]): void {
  if (d.tagged !== undefined) return checkTaggedUnion(d, value, path, issues);
  if (d.discriminator !== undefined && isObjectLike(value)) {
    const { property, values } = d.discriminator;
    const tag = value[property];
    const index = typeof tag === 'string' ? values.indexOf(tag) : -1;
    const branch = d.branches[index];
    if (branch === undefined) {
      const expected = values.filter((v) => v !== null).map((v) => JSON.stringify(v)).join(', ');
      issues.push({ path: childPath(path, property), message: `expected one of ${expected}, got ${describeValue(tag)}` });
      return;
    }
    checkValue(branch, value, path, issues);
    return;
  }
  if (d.mode === 'oneOf') {
    const count = d.branches.filter((b) => matches(b, value)).length;
    if (count === 1) return;
    if (count > 1) {
      issues.push({ path, message: `matches ${count} branches of oneOf (${describeDesc(d)}), expected exactly one` });
      return;
    }
  } else {
    // An instance of a generated class belongs to its branch even when invalid: report inside it.
    const own = d.branches.find((b) => {
      const target = deref(b);
      return target.k === 'record' && target.isInstance(value);
    });
    if (own !== undefined) return checkValue(own, value, path, issues);
    if (d.branches.some((b) => matches(b, value))) return;
  }
  reportBestBranch(d, value, path, issues, false, checkValue);
}

/** An Avro union with tagged branches: a `{ branch, value }` for those, a plain value for the others. */
function checkTaggedUnion(d: UnionDesc, value: unknown, path: string, issues: ValidationIssue[]): void {
  const tagged = d.branches[taggedIndex(d, value)];
  if (tagged !== undefined) {
    checkValue(tagged, (value as { value: unknown }).value, childPath(path, 'value'), issues);
    return;
  }
  const plain = plainView(d);
  if (!looksTagged(value) && plain.branches.length > 0 && plain.branches.some((b) => shapesOf(b, false).includes(shapeOfValue(value, false) ?? 'null'))) {
    checkUnion(plain, value, path, issues);
    return;
  }
  if (looksTagged(value)) {
    issues.push({ path: childPath(path, 'branch'), message: `expected one of ${tagNames(d)}, got ${describeValue(value.branch)}` });
    return;
  }
  const others = plain.branches.length === 0 ? '' : `${describeDesc(plain)}, or `;
  issues.push({ path, message: `expected ${others}{ branch, value } with branch one of ${tagNames(d)}, got ${describeValue(value)}` });
}

/**
 * When no branch matches, report the issues of the only branch whose shape fits the value (so a
 * nullable record reports the bad field inside it), or else one issue listing what was expected.
 */
export function reportBestBranch(
  d: UnionDesc,
  value: unknown,
  path: string,
  issues: ValidationIssue[],
  json: boolean,
  visit: (desc: TypeDesc, value: unknown, path: string, issues: ValidationIssue[]) => unknown,
): void {
  const shape = shapeOfValue(value, json);
  const candidates = d.branches.filter((b) => shape !== undefined && shapesOf(b, json).includes(shape));
  const only = candidates[0];
  if (candidates.length === 1 && only !== undefined) {
    visit(only, value, path, issues);
    return;
  }
  issues.push({ path, message: `expected ${describeDesc(d)}, got ${describeValue(value)}` });
}

function checkCount(length: number, min: number | undefined, max: number | undefined, path: string, issues: ValidationIssue[]): void {
  if (min !== undefined && length < min) issues.push({ path, message: `expected at least ${min} items, got ${length}` });
  if (max !== undefined && length > max) issues.push({ path, message: `expected at most ${max} items, got ${length}` });
}

export function isJsonCompatible(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonCompatible);
  if (isObjectLike(value)) return Object.values(value).every(isJsonCompatible);
  return false;
}
