/**
 * A schema object's own keywords (no `$ref`/`allOf` left) to an IR type: `const`/`enum` literals,
 * `oneOf`/`anyOf` unions (unions.ts), and `type` (or, without it, the types its keywords imply)
 * with each JSON type's keywords (scalars.ts, arrays.ts, objects.ts). Unsupported keywords are
 * reported, never silently ignored.
 */
import type { JsonValue } from '../../../../runtime/src/codegen/descriptors.js';
import { jsonEqual } from '../../../../runtime/src/codegen/json-equal.js';
import type { IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import type { DiagnosticSink } from '../source.js';
import { convertArray } from './arrays.js';
import type { Conversion } from './conversion.js';
import type { Located } from './documents.js';
import type { SchemaNode } from './merge.js';
import type { NameHint } from './model-slots.js';
import { convertObject } from './objects.js';
import { numberType, stringType } from './scalars.js';
import { impliedTypes, isRecordSchema, unsupportedKeywords } from './schema-node.js';
import { convertUnion } from './unions.js';

export function reportUnsupportedKeywords(node: SchemaNode, at: Located, sink: DiagnosticSink): void {
  for (const keyword of unsupportedKeywords) {
    if (node[keyword] !== undefined) {
      sink.report(at.sdoc.source, pointerJoin(at.pointer, keyword), `keyword "${keyword}" is not supported by faustgen`, 'remove it or express the constraint with supported keywords');
    }
  }
  if (node['uniqueItems'] === true) sink.report(at.sdoc.source, pointerJoin(at.pointer, 'uniqueItems'), 'keyword "uniqueItems" is not supported by faustgen');
}

/** Converts a schema object's own keywords (no $ref/allOf left). */
export function convertKeywords(cx: Conversion, node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
  reportUnsupportedKeywords(node, at, cx.sink);
  const report = (keyword: string, message: string): undefined => {
    cx.sink.report(at.sdoc.source, keyword === '' ? at.pointer : pointerJoin(at.pointer, keyword), message);
    return undefined;
  };
  // Values are compared by JSON equality (runtime/src/codegen/json-equal.ts), objects and arrays included.
  if (node['const'] !== undefined) return { kind: 'literal', values: [node['const'] as JsonValue] };
  if (node['enum'] !== undefined) {
    const values = node['enum'];
    if (!Array.isArray(values)) return report('enum', 'enum must be an array');
    if (values.length === 0) return { kind: 'never' };
    return { kind: 'literal', values: (values as JsonValue[]).filter((v, i) => values.findIndex((w) => jsonEqual(v, w)) === i) };
  }
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    if (node[keyword] !== undefined) return convertUnion(cx, node, keyword, at, hint);
  }
  const type = node['type'];
  if (Array.isArray(type)) {
    if (type.length === 0 || !type.every((t) => typeof t === 'string')) return report('type', 'type must be a string or a non-empty array of strings');
    const branches: IrType[] = [];
    for (const t of type as string[]) {
      const branch = convertTyped(cx, t, node, at, hint);
      if (branch === undefined) return undefined;
      branches.push(branch);
    }
    return branches.length === 1 ? branches[0] : { kind: 'union', branches, mode: 'anyOf' };
  }
  if (type !== undefined && typeof type !== 'string') return report('type', 'type must be a string or an array of strings');
  if (type !== undefined) return convertTyped(cx, type, node, at, hint);
  return convertUntyped(cx, node, at, hint);
}

/**
 * A schema without `type`: each keyword constrains only values of its own JSON type and every
 * other type passes (`{"pattern": "^a"}` accepts 5). Object keywords (`properties`, `required`)
 * still make a record, a deliberate reading: see docs/type-mapping.md.
 */
function convertUntyped(cx: Conversion, node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
  const implied = impliedTypes(node);
  if (implied.length === 0) return { kind: 'unknown' };
  if (implied.includes('object') && isRecordSchema(node)) return convertTyped(cx, 'object', node, at, hint);
  const branches: IrType[] = [];
  for (const t of implied) {
    const branch = convertTyped(cx, t, node, at, hint);
    if (branch === undefined) return undefined;
    branches.push(branch);
  }
  const anyOther: Readonly<Record<string, IrType>> = {
    null: { kind: 'null' },
    boolean: { kind: 'boolean' },
    number: { kind: 'number', rules: {} },
    string: { kind: 'string', rules: {} },
    array: { kind: 'array', items: { kind: 'unknown' } },
    object: { kind: 'map', values: { kind: 'unknown' } },
  };
  for (const [t, other] of Object.entries(anyOther)) if (!implied.includes(t)) branches.push(other);
  return { kind: 'union', branches, mode: 'anyOf' };
}

/** The values of one JSON type that the schema's keywords for that type allow. */
function convertTyped(cx: Conversion, type: string | undefined, node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
  switch (type) {
    case undefined:
      return { kind: 'unknown' };
    case 'null':
      return { kind: 'null' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'integer':
    case 'number':
      return numberType(type === 'integer', node, at, cx.sink);
    case 'string':
      return stringType(node, at, cx.sink);
    case 'array':
      return convertArray(cx, node, at, hint);
    case 'object':
      return convertObject(cx, node, at, hint);
    default:
      cx.sink.report(at.sdoc.source, pointerJoin(at.pointer, 'type'), `unknown type ${JSON.stringify(type)}`);
      return undefined;
  }
}
