/**
 * Coarse value shapes, used to pick which union branch a failing value was most likely meant for
 * (so that the reported path points inside that branch) and to describe expectations in messages.
 */
import { deref } from './descriptors.js';
import type { TypeDesc } from './descriptors.js';

export type Shape = 'null' | 'boolean' | 'number' | 'string' | 'bytes' | 'array' | 'object';

const allShapes: readonly Shape[] = ['null', 'boolean', 'number', 'string', 'bytes', 'array', 'object'];

export function shapeOfValue(value: unknown, json: boolean): Shape | undefined {
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return json ? undefined : 'bytes';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

/** Shapes a descriptor accepts; in JSON form bytes travel as base64 strings. */
export function shapesOf(desc: TypeDesc, json: boolean): readonly Shape[] {
  const d = deref(desc);
  switch (d.k) {
    case 'null':
      return ['null'];
    case 'boolean':
      return ['boolean'];
    case 'int':
    case 'long':
    case 'number':
      return ['number'];
    case 'float':
    case 'double':
      return json ? ['number', 'string'] : ['number'];
    case 'string':
    case 'enum':
      return ['string'];
    case 'bytes':
    case 'fixed':
      return json ? ['string'] : ['bytes'];
    case 'array':
    case 'tuple':
      return ['array'];
    case 'map':
    case 'record':
      return ['object'];
    case 'literal':
      return [...new Set(d.values.map((v) => shapeOfValue(v, json) ?? 'null'))];
    case 'logical':
      return d.logical === 'duration' ? ['object'] : ['string'];
    case 'union':
      return [...new Set(d.branches.flatMap((b) => shapesOf(b, json)))];
    case 'unknown':
      return allShapes;
    case 'never':
      return [];
  }
}

/** A short human name for what a descriptor expects, e.g. `com.acme.Order`, `array`, `date`. */
export function describeDesc(desc: TypeDesc): string {
  const d = deref(desc);
  switch (d.k) {
    case 'record':
    case 'enum':
    case 'fixed':
      return d.name;
    case 'logical':
      return d.logical;
    case 'literal':
      return d.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'union':
      return d.branches.map(describeDesc).join(' | ');
    default:
      return d.k;
  }
}
