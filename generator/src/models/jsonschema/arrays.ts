/**
 * Array schemas: an array of one item type, or a tuple when items are listed by position
 * (`prefixItems` in 2020-12, `items` as an array in draft-07) with the rest after them.
 */
import type { IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import type { Conversion } from './conversion.js';
import type { Located } from './documents.js';
import type { SchemaNode } from './merge.js';
import type { NameHint } from './model-slots.js';

export function convertArray(cx: Conversion, node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
  const counts: { minItems?: number; maxItems?: number } = {};
  for (const key of ['minItems', 'maxItems'] as const) {
    const value = node[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || (value as number) < 0) {
      cx.sink.report(at.sdoc.source, pointerJoin(at.pointer, key), `"${key}" must be a non-negative integer`);
      return undefined;
    }
    counts[key] = value as number;
  }
  const items = node['items'];
  const prefixKey = Array.isArray(node['prefixItems']) ? 'prefixItems' : Array.isArray(items) ? 'items' : undefined;
  const child = (key: string, value: unknown, name: string): IrType | undefined =>
    cx.subschema(value, { ...at, pointer: pointerJoin(at.pointer, key), node: value }, { ...hint, name });
  if (prefixKey === undefined) {
    const itemType = items === undefined ? { kind: 'unknown' as const } : child('items', items, `${hint.name}Item`);
    return itemType === undefined ? undefined : { kind: 'array', items: itemType, ...counts };
  }
  const prefixNodes = node[prefixKey] as unknown[];
  const prefix: IrType[] = [];
  for (const [i, item] of prefixNodes.entries()) {
    const t = cx.subschema(item, { ...at, pointer: pointerJoin(pointerJoin(at.pointer, prefixKey), i), node: item }, { ...hint, name: `${hint.name}Item${i}` });
    if (t === undefined) return undefined;
    prefix.push(t);
  }
  const restKey = prefixKey === 'prefixItems' ? 'items' : 'additionalItems';
  const restNode = node[restKey];
  let rest: IrType | null = { kind: 'unknown' };
  if (restNode === false) rest = null;
  else if (restNode !== undefined && restNode !== true) {
    const t = child(restKey, restNode, `${hint.name}Rest`);
    if (t === undefined) return undefined;
    rest = t;
  }
  // Tuple members are required unless minItems says fewer (a deliberate reading, see docs/type-mapping.md).
  // An item whose schema is `false` cannot be present, nor can any after it.
  const firstNever = prefix.findIndex((t) => t.kind === 'never');
  const required = Math.min(prefix.length, counts.minItems ?? prefix.length, firstNever === -1 ? prefix.length : firstNever);
  return { kind: 'tuple', prefix, rest, required, ...(counts.maxItems === undefined ? {} : { maxItems: counts.maxItems }) };
}
