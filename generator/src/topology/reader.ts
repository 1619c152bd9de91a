import type { Diagnostic } from '../ir/diagnostics.js';
import { parseDuration } from './durations.js';
import { joinPointer } from './source-map.js';
import type { SourceDocument } from './source-map.js';
import { didYouMean } from './suggest.js';
import { parseTypeRef } from './type-ref.js';
import type { NameRef, TypeUse } from './types.js';

export type Obj = Readonly<Record<string, unknown>>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Typed access to the parsed document that records a located diagnostic for every misfit. */
export class Reader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly document: SourceDocument) {}

  error(pointer: string, message: string, hint?: string, options?: { readonly key?: boolean }): void {
    const where = this.document.locate(pointer, options);
    this.diagnostics.push(hint === undefined ? { message, where } : { message, where, hint });
  }

  /** A mapping with only `allowed` keys; unknown keys are reported with a suggestion. */
  object(value: unknown, pointer: string, allowed: readonly string[], what: string): Obj | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.error(pointer, `${what} must be a mapping, found ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.error(joinPointer(pointer, key), `unknown key "${key}" in ${what}`, didYouMean(key, allowed), { key: true });
      }
    }
    return value as Obj;
  }

  list(object: Obj, key: string, pointer: string): { readonly value: unknown; readonly pointer: string }[] {
    const value = object[key];
    const at = joinPointer(pointer, key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.error(at, `"${key}" must be a list, found ${describe(value)}`);
      return [];
    }
    return value.map((item: unknown, index) => ({ value: item, pointer: joinPointer(at, index) }));
  }

  string(object: Obj, key: string, pointer: string, required: true): string | undefined;
  string(object: Obj, key: string, pointer: string, required?: false): string | undefined;
  string(object: Obj, key: string, pointer: string, required = false): string | undefined {
    const value = object[key];
    if (value === undefined) {
      if (required) this.error(pointer, `missing required key "${key}"`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.error(joinPointer(pointer, key), `"${key}" must be a non-empty string, found ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  positiveInt(object: Obj, key: string, pointer: string, max = 2 ** 31 - 1, min = 1): number | undefined {
    const value = object[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.error(joinPointer(pointer, key), `"${key}" must be an integer from ${min} to ${max}, found ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  boolean(object: Obj, key: string, pointer: string): boolean | undefined {
    const value = object[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') {
      this.error(joinPointer(pointer, key), `"${key}" must be true or false, found ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  duration(object: Obj, key: string, pointer: string, required: boolean): number | undefined {
    const value = object[key];
    if (value === undefined) {
      if (required) this.error(pointer, `missing required duration "${key}"`, 'write it as "60s", "5m" or "1h"');
      return undefined;
    }
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      this.error(joinPointer(pointer, key), `invalid duration for "${key}": ${parsed.reason}`);
      return undefined;
    }
    return parsed.ms;
  }

  type(object: Obj, key: string, pointer: string, required: boolean, fallback?: string): TypeUse | undefined {
    const value = object[key] ?? fallback;
    const at = joinPointer(pointer, key);
    if (value === undefined) {
      if (required) this.error(pointer, `missing required type "${key}"`, 'use a model name or string|bytes|int|long|float|double|boolean|json');
      return undefined;
    }
    const ref = typeof value === 'string' ? parseTypeRef(value) : undefined;
    if (ref === undefined || typeof value !== 'string') {
      this.error(at, `"${key}" is not a type: ${describe(value)}`, 'use a model name or string|bytes|int|long|float|double|boolean|json, optionally followed by []');
      return undefined;
    }
    return { ref, text: value.trim(), pointer: object[key] === undefined ? pointer : at };
  }

  names(object: Obj, key: string, pointer: string): NameRef[] {
    const refs: NameRef[] = [];
    for (const item of this.list(object, key, pointer)) {
      if (typeof item.value === 'string' && item.value !== '') refs.push({ name: item.value, pointer: item.pointer });
      else this.error(item.pointer, `entries of "${key}" must be names, found ${describe(item.value)}`);
    }
    return refs;
  }
}
