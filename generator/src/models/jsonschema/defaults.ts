/**
 * JSON Schema `default`s of properties, as model values for the generated constructor (which also
 * fills them in on decode). The spec makes `default` an annotation; faustgen applies it, so it checks
 * that the value has the property's JSON type (a default that does not fit would not compile).
 */
import type { IrType, ModelIr, TsValue } from '../ir.js';
import { jsonEqual } from '../../../../runtime/src/codegen/json-equal.js';
import { isPrimitive } from './schema-node.js';

/** The default as a model value, or why it does not fit the property's type. */
export function defaultValue(type: IrType, json: unknown, model: (name: string) => ModelIr | undefined): TsValue | string {
  const wrong = (what: string): string => `does not fit its type (${what}): ${JSON.stringify(json)}`;
  switch (type.kind) {
    case 'unknown':
      return plain(json);
    case 'null':
      return json === null ? plain(json) : wrong('null');
    case 'boolean':
      return typeof json === 'boolean' ? plain(json) : wrong('a boolean');
    case 'number':
      return typeof json === 'number' && (type.rules.integer !== true || Number.isInteger(json)) ? plain(json) : wrong(type.rules.integer === true ? 'an integer' : 'a number');
    case 'string':
      return typeof json === 'string' ? plain(json) : wrong('a string');
    case 'literal':
      return type.values.some((v) => jsonEqual(v, json)) ? plain(json) : wrong(type.values.map((v) => JSON.stringify(v)).join(' | '));
    case 'array':
    case 'tuple': {
      if (!Array.isArray(json)) return wrong('an array');
      const items: TsValue[] = [];
      for (const [i, item] of json.entries()) {
        const itemType = type.kind === 'array' ? type.items : (type.prefix[i] ?? type.rest ?? { kind: 'unknown' });
        const v = defaultValue(itemType, item, model);
        if (typeof v === 'string') return v;
        items.push(v);
      }
      return { t: 'array', items };
    }
    case 'map': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return wrong('an object');
      const entries: [string, TsValue][] = [];
      for (const [key, item] of Object.entries(json)) {
        const v = defaultValue(type.values, item, model);
        if (typeof v === 'string') return v;
        entries.push([key, v]);
      }
      return { t: 'object', entries };
    }
    case 'union': {
      for (const branch of type.branches) {
        const v = defaultValue(branch, json, model);
        if (typeof v !== 'string') return v;
      }
      return wrong('no branch of the union');
    }
    case 'ref': {
      const target = model(type.name);
      if (target === undefined) return wrong(type.name);
      if (target.kind === 'enum') return typeof json === 'string' && target.symbols.includes(json) ? plain(json) : wrong(`one of ${target.symbols.join(', ')}`);
      if (target.kind === 'union' || target.kind === 'alias') return defaultValue(target.type, json, model);
      if (target.kind !== 'record' || typeof json !== 'object' || json === null || Array.isArray(json)) return wrong(`record ${type.name}`);
      const entries: [string, TsValue][] = [];
      for (const field of target.fields) {
        if (!Object.hasOwn(json, field.name)) {
          if (!field.optional && field.defaultValue === undefined) return wrong(`record ${type.name} needs ${field.name}`);
          continue;
        }
        const v = defaultValue(field.type, (json as Record<string, unknown>)[field.name], model);
        if (typeof v === 'string') return v;
        entries.push([field.name, v]);
      }
      return { t: 'record', name: type.name, entries };
    }
    default:
      return wrong(type.kind);
  }
}

function plain(json: unknown): TsValue | string {
  if (isPrimitive(json)) return { t: 'literal', value: json };
  if (Array.isArray(json)) {
    const items: TsValue[] = [];
    for (const item of json) {
      const v = plain(item);
      if (typeof v === 'string') return v;
      items.push(v);
    }
    return { t: 'array', items };
  }
  if (typeof json === 'object' && json !== null) {
    const entries: [string, TsValue][] = [];
    for (const [key, item] of Object.entries(json)) {
      const v = plain(item);
      if (typeof v === 'string') return v;
      entries.push([key, v]);
    }
    return { t: 'object', entries };
  }
  return `is not JSON: ${String(json)}`;
}
