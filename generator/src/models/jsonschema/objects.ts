/**
 * Object schemas: a record (its fields from `properties`, `required` and their `default`s, its extra
 * keys from `additionalProperties`) when it declares properties or is closed, else a map.
 */
import type { IrField, IrType } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import { fieldNameProblem } from '../names.js';
import type { Conversion } from './conversion.js';
import { defaultValue } from './defaults.js';
import type { Located } from './documents.js';
import { asLocatedRef } from './merge.js';
import type { SchemaNode } from './merge.js';
import { hintUnder, titled } from './model-slots.js';
import type { NameHint } from './model-slots.js';
import { isRecordSchema, isSchemaObject } from './schema-node.js';

export interface RecordBody {
  fields: IrField[];
  extra: 'allow' | 'reject' | IrType;
  metadata: boolean;
}

/** The values of type `object` a schema allows: a reference to its (inline) record, or a map. */
export function convertObject(cx: Conversion, node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
  if (isRecordSchema(node)) {
    // A named schema such as {"type": ["object", "null"], ...} is itself being defined: its object part is a new record.
    const existing = cx.slots.atLocation(at);
    const slot = existing !== undefined && existing.state !== 'defining' ? existing : cx.slots.inline(titled(node, hint), at);
    if (slot.state === 'pending') {
      slot.state = 'defining';
      slot.model = {
        fullName: slot.fullName,
        className: slot.className,
        aliases: [],
        format: 'jsonschema',
        source: at.sdoc.source,
        pointer: at.pointer,
        kind: 'record',
        ...(typeof node['description'] === 'string' ? { doc: node['description'] } : {}),
        ...recordBody(cx, node, at, hintUnder(slot)),
      };
      slot.state = 'done';
    }
    return { kind: 'ref', name: slot.fullName };
  }
  if (isSchemaObject(node['additionalProperties']) || asLocatedRef(node['additionalProperties']) !== undefined) {
    const values = cx.subschema(node['additionalProperties'], { ...at, pointer: pointerJoin(at.pointer, 'additionalProperties') }, { ...hint, name: `${hint.name}Value` });
    return values === undefined ? undefined : { kind: 'map', values };
  }
  return { kind: 'map', values: { kind: 'unknown' } };
}

/** The fields and extra keys of a record schema. */
export function recordBody(cx: Conversion, node: SchemaNode, at: Located, hint: NameHint): RecordBody {
  const properties = isSchemaObject(node['properties']) ? node['properties'] : {};
  const required = Array.isArray(node['required']) ? node['required'].filter((r): r is string => typeof r === 'string') : [];
  const fields: IrField[] = [];
  const additional = node['additionalProperties'];
  let extra: 'allow' | 'reject' | IrType = 'allow';
  if (additional === false) extra = 'reject';
  else if (additional !== undefined && additional !== true) {
    extra = cx.subschema(additional, { ...at, pointer: pointerJoin(at.pointer, 'additionalProperties') }, { ...hint, name: 'Extra' }) ?? 'allow';
  }
  for (const [name, propNode] of Object.entries(properties)) {
    const pointer = pointerJoin(pointerJoin(at.pointer, 'properties'), name);
    const reserved = fieldNameProblem(name);
    if (reserved !== undefined) {
      cx.sink.report(at.sdoc.source, pointer, reserved, 'rename the property');
      continue;
    }
    const type = cx.subschema(propNode, { ...at, pointer, node: propNode }, { ...hint, name });
    if (type === undefined) continue;
    const target = asLocatedRef(propNode)?.node ?? propNode;
    const doc = isSchemaObject(target) && typeof target['description'] === 'string' ? { doc: target['description'] } : {};
    const defaultNode = isSchemaObject(propNode) && Object.hasOwn(propNode, 'default') ? propNode : isSchemaObject(target) && Object.hasOwn(target, 'default') ? target : undefined;
    if (defaultNode !== undefined) {
      const value = defaultValue(type, defaultNode['default'], (n) => cx.modelFor(n));
      if (typeof value === 'string') {
        cx.sink.report(at.sdoc.source, pointerJoin(pointer, 'default'), `default of property ${name} ${value}`);
        continue;
      }
      // A property with a default is always present in the model: the constructor and decoding fill it in.
      fields.push({ name, type, optional: false, aliases: [], pointer, defaultValue: value, ...doc });
      continue;
    }
    if (type.kind === 'never' && required.includes(name)) {
      cx.sink.report(at.sdoc.source, pointer, `required property "${name}" accepts no value (its schema is \`false\`): no object is valid`);
      continue;
    }
    // A property whose schema accepts no value may only be absent.
    fields.push({ name, type, optional: type.kind === 'never' || !required.includes(name), aliases: [], pointer, ...doc });
  }
  // A required key without a property schema must be present; its value is whatever additionalProperties allows.
  const requiredAt = pointerJoin(at.pointer, 'required');
  for (const name of new Set(required)) {
    if (Object.hasOwn(properties, name)) continue;
    const reserved = fieldNameProblem(name);
    if (reserved !== undefined) cx.sink.report(at.sdoc.source, requiredAt, reserved, 'rename the property');
    else if (extra === 'reject') cx.sink.report(at.sdoc.source, requiredAt, `required property "${name}" is not in "properties" and additionalProperties is false: no value is valid`);
    else fields.push({ name, type: extra === 'allow' ? { kind: 'unknown' } : extra, optional: false, aliases: [], pointer: requiredAt });
  }
  // Faust's "__faust" key would make records with additionalProperties: false invalid against their own schema.
  return { fields, extra, metadata: extra !== 'reject' };
}
