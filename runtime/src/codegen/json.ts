/**
 * Model form <-> JSON form, following Faust's JSON record format: records are objects of their fields
 * plus `"__faust": {"ns": "<full name>"}`; bytes are base64; non-finite floats are the strings
 * "NaN", "Infinity" and "-Infinity". Decoding tolerates unknown keys and a missing `__faust`.
 */
import { deref } from './descriptors.js';
import type { JsonObject, JsonValue, RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { checkValue, isObjectLike, logicalProblem, reportBestBranch, selectBranch } from './check.js';
import { childPath, describeValue, indexPath } from './issues.js';
import type { ValidationIssue } from './issues.js';
import { branchValue, toBranchValue } from './union-tags.js';

export const FAUST_METADATA_KEY = '__faust';

/** Defines an own property even for keys such as `__proto__`, which plain assignment would not. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Converts a valid model value to its JSON form (validate first: this trusts the value). */
export function toJsonValue(desc: TypeDesc, value: unknown): JsonValue {
  const d = deref(desc);
  switch (d.k) {
    case 'float':
    case 'double':
      return Number.isFinite(value) ? (value as number) : String(value);
    case 'bytes':
    case 'fixed':
      return (value as Buffer).toString('base64');
    case 'array':
      return (value as readonly unknown[]).map((item) => toJsonValue(d.items, item));
    case 'tuple':
      return (value as readonly unknown[]).map((item, i) => toJsonValue(d.prefix[i] ?? d.rest ?? { k: 'unknown' }, item));
    case 'map': {
      const out: JsonObject = {};
      for (const [key, item] of Object.entries(value as object)) setOwn(out, key, toJsonValue(d.values, item));
      return out;
    }
    case 'union': {
      // Tagged Avro branches travel as their plain value: Faust's JSON has no branch names.
      const index = selectBranch(d, value);
      const branch = d.branches[index];
      return branch === undefined ? (value as JsonValue) : toJsonValue(branch, branchValue(d, index, value));
    }
    case 'logical':
      if (d.logical === 'duration') {
        const v = value as { months: number; days: number; millis: number };
        return { months: v.months, days: v.days, millis: v.millis };
      }
      return value as string;
    case 'record':
      return recordToJson(d, value);
    default:
      return value as JsonValue;
  }
}

export function recordToJson(d: RecordDesc, value: unknown): JsonObject {
  const source = value as Readonly<Record<string, unknown>>;
  const out: JsonObject = {};
  for (const field of d.fields) {
    const fieldValue = source[field.name];
    if (fieldValue === undefined) continue;
    setOwn(out, field.name, toJsonValue(field.type, fieldValue));
  }
  if (d.metadata) out[FAUST_METADATA_KEY] = { ns: d.name };
  return out;
}

/** Converts a JSON value to its model form, adding an issue for everything that does not fit. */
export function fromJsonValue(desc: TypeDesc, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  const d = deref(desc);
  const fail = (expected: string): undefined => {
    issues.push({ path, message: `expected ${expected}, got ${describeValue(json)}` });
    return undefined;
  };
  switch (d.k) {
    case 'float':
    case 'double':
      if (json === 'NaN' || json === 'Infinity' || json === '-Infinity') return Number(json);
      return typeof json === 'number' ? json : fail('a number');
    case 'bytes':
    case 'fixed': {
      const bytes = typeof json === 'string' ? decodeBase64(json) : undefined;
      if (bytes === undefined) return fail('base64-encoded bytes');
      if (d.k === 'fixed' && bytes.length !== d.size) return fail(`${d.size} base64-encoded bytes (${d.name})`);
      return bytes;
    }
    case 'array':
      if (!Array.isArray(json)) return fail('an array');
      checkValue({ k: 'array', items: { k: 'unknown' }, ...countRules(d.minItems, d.maxItems) }, json, path, issues);
      return json.map((item: unknown, i) => fromJsonValue(d.items, item, indexPath(path, i), issues));
    case 'tuple':
      if (!Array.isArray(json)) return fail('an array');
      checkValue({ ...d, prefix: d.prefix.map(() => ({ k: 'unknown' })), rest: d.rest === null ? null : { k: 'unknown' } }, json, path, issues);
      return json.map((item: unknown, i) => {
        const itemDesc = d.prefix[i] ?? d.rest;
        return itemDesc === null ? item : fromJsonValue(itemDesc, item, indexPath(path, i), issues);
      });
    case 'map': {
      if (!isObjectLike(json)) return fail('an object (map)');
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(json)) setOwn(out, key, fromJsonValue(d.values, item, childPath(path, key), issues));
      return out;
    }
    case 'union':
      return unionFromJson(d, json, path, issues);
    case 'logical': {
      const problem = logicalProblem(d, json);
      if (problem !== undefined) {
        issues.push({ path, message: problem });
        return undefined;
      }
      if (d.logical !== 'duration') return json;
      const v = json as { months: number; days: number; millis: number };
      return { months: v.months, days: v.days, millis: v.millis };
    }
    case 'record':
      return recordFromJson(d, json, path, issues);
    default:
      // Every other kind has the same model and JSON form.
      checkValue(d, json, path, issues);
      return json;
  }
}

function countRules(minItems: number | undefined, maxItems: number | undefined): { minItems?: number; maxItems?: number } {
  return { ...(minItems === undefined ? {} : { minItems }), ...(maxItems === undefined ? {} : { maxItems }) };
}

const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(text: string): Buffer | undefined {
  return base64Re.test(text) ? Buffer.from(text, 'base64') : undefined;
}

export function recordFromJson(d: RecordDesc, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  if (!isObjectLike(json)) {
    issues.push({ path, message: `expected record ${d.name} (a JSON object), got ${describeValue(json)}` });
    return undefined;
  }
  const before = issues.length;
  const fields: Record<string, unknown> = {};
  const known = new Set<string>([FAUST_METADATA_KEY]);
  for (const field of d.fields) {
    known.add(field.name);
    for (const alias of field.aliases ?? []) known.add(alias);
    const key = [field.name, ...(field.aliases ?? [])].find((k) => Object.hasOwn(json, k) && json[k] !== undefined);
    const fieldPath = childPath(path, field.name);
    if (key === undefined) {
      if (field.optional !== true && field.hasDefault !== true) issues.push({ path: fieldPath, message: 'missing required field' });
      continue;
    }
    setOwn(fields, field.name, fromJsonValue(field.type, json[key], childPath(path, key), issues));
  }
  if (d.extra !== 'allow') {
    for (const [key, value] of Object.entries(json)) {
      if (known.has(key)) continue;
      if (d.extra === 'reject') issues.push({ path: childPath(path, key), message: `unexpected property in ${d.name}` });
      else checkValue(d.extra, value, childPath(path, key), issues);
    }
  }
  return issues.length === before ? d.create(fields) : undefined;
}

function faustNamespace(json: unknown): string | undefined {
  if (!isObjectLike(json)) return undefined;
  const meta = json[FAUST_METADATA_KEY];
  if (!isObjectLike(meta)) return undefined;
  const ns = meta['ns'];
  return typeof ns === 'string' ? ns : undefined;
}

function tryBranch(branch: TypeDesc, json: unknown, path: string): { ok: boolean; value: unknown } {
  const scratch: ValidationIssue[] = [];
  const value = fromJsonValue(branch, json, path, scratch);
  return { ok: scratch.length === 0, value };
}

function unionFromJson(d: UnionDesc, json: unknown, path: string, issues: ValidationIssue[]): unknown {
  if (d.discriminator !== undefined && isObjectLike(json)) {
    const { property, values } = d.discriminator;
    const tag = json[property];
    const branch = d.branches[typeof tag === 'string' ? values.indexOf(tag) : -1];
    if (branch === undefined) {
      const expected = values.filter((v) => v !== null).map((v) => JSON.stringify(v)).join(', ');
      issues.push({ path: childPath(path, property), message: `expected one of ${expected}, got ${describeValue(tag)}` });
      return undefined;
    }
    return fromJsonValue(branch, json, path, issues);
  }
  // A Faust producer names the record it wrote; trust that over trying each branch.
  const ns = faustNamespace(json);
  if (ns !== undefined) {
    const named = d.branches.find((b) => {
      const target = deref(b);
      return target.k === 'record' && (target.name === ns || target.aliases.includes(ns));
    });
    if (named !== undefined) return fromJsonValue(named, json, path, issues);
  }
  if (d.mode === 'oneOf') {
    const results = d.branches.map((b) => tryBranch(b, json, path)).filter((r) => r.ok);
    const [first] = results;
    if (results.length === 1 && first !== undefined) return first.value;
    if (results.length > 1) {
      issues.push({ path, message: `matches ${results.length} branches of oneOf, expected exactly one` });
      return undefined;
    }
  } else {
    for (const [i, branch] of d.branches.entries()) {
      const result = tryBranch(branch, json, path);
      if (result.ok) return toBranchValue(d, i, result.value);
    }
  }
  reportBestBranch(d, json, path, issues, true, fromJsonValue);
  return undefined;
}
