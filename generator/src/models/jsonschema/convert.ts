/**
 * JSON Schema (draft-07 / 2020-12) to models. Roots and `$defs`/`definitions` entries become named
 * models; inline object schemas become named records under their parent; everything else maps to
 * IR types (see docs/type-mapping.md). Unsupported keywords are reported, never silently ignored.
 */
import type { JsonValue } from '../../../../runtime/src/codegen/descriptors.js';
import { jsonEqual } from '../../../../runtime/src/codegen/json-equal.js';
import type { IrField, IrType, ModelIr } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import { fieldNameProblem, pascalCase } from '../names.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';
import { SchemaDocuments } from './documents.js';
import type { Located, SchemaDocument } from './documents.js';
import { AllOfMerger, asLocatedRef, intersectTypes, locatedRef, locationKey } from './merge.js';
import type { SchemaNode } from './merge.js';
import { findDiscriminator } from './discriminator.js';
import { defaultValue } from './defaults.js';
import { rootNames } from './naming.js';
import { numberType, stringType } from './scalars.js';
import { hasValidation, impliedTypes, isRecordSchema, isSchemaObject, schemaKeywords, unsupportedKeywords } from './schema-node.js';

interface Slot {
  readonly fullName: string;
  readonly className: string;
  readonly located: Located;
  state: 'pending' | 'defining' | 'done';
  model?: ModelIr;
}

interface Hint {
  readonly parent: string;
  readonly parentClass: string;
  readonly name: string;
}

export function convertJsonSchemas(sources: readonly SourceDoc[], sink: DiagnosticSink, takenNames: ReadonlyMap<string, string>): ModelIr[] {
  const converter = new JsonSchemaConverter(sink, takenNames);
  return converter.run(sources);
}

class JsonSchemaConverter {
  private readonly docs: SchemaDocuments;
  private readonly merger: AllOfMerger;
  private readonly slots = new Map<string, Slot>();
  private readonly byName = new Map<string, Slot>();
  private readonly order: Slot[] = [];
  private readonly active = new Set<string>();

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly takenNames: ReadonlyMap<string, string>,
  ) {
    this.docs = new SchemaDocuments(sink);
    this.merger = new AllOfMerger(this.docs, sink);
  }

  run(sources: readonly SourceDoc[]): ModelIr[] {
    for (const source of sources) this.registerDocument(this.docs.add(source));
    for (let i = 0; i < this.order.length; i++) {
      const slot = this.order[i];
      if (slot !== undefined) this.define(slot);
    }
    return this.order.flatMap((s) => (s.model === undefined ? [] : [s.model]));
  }

  private registerDocument(sdoc: SchemaDocument): void {
    const root = sdoc.source.json.value;
    if (!isSchemaObject(root) && typeof root !== 'boolean') {
      this.sink.report(sdoc.source, '', 'a JSON Schema document must be an object');
      return;
    }
    const names = rootNames(sdoc.source);
    this.addSlot(names.fullName, names.className, { sdoc, pointer: '', node: root });
    if (!isSchemaObject(root)) return;
    for (const container of ['$defs', 'definitions'] as const) {
      const defs = root[container];
      if (!isSchemaObject(defs)) continue;
      for (const [key, node] of Object.entries(defs)) {
        const title = isSchemaObject(node) && typeof node['title'] === 'string' ? node['title'] : key;
        const className = pascalCase(title);
        this.addSlot(`${names.fullName}.${className}`, className, { sdoc, pointer: pointerJoin(pointerJoin('', container), key), node });
      }
    }
  }

  private addSlot(fullName: string, className: string, located: Located): Slot | undefined {
    const other = this.byName.get(fullName);
    const avroFile = this.takenNames.get(fullName);
    if (other !== undefined || avroFile !== undefined) {
      const where = other?.located.sdoc.source.relPath ?? avroFile ?? '';
      this.sink.report(located.sdoc.source, located.pointer, `duplicate model name ${fullName} (also defined in ${where})`, 'give one of them another "title"');
      return undefined;
    }
    const slot: Slot = { fullName, className, located, state: 'pending' };
    const key = locationKey(located);
    if (!this.slots.has(key)) this.slots.set(key, slot);
    this.byName.set(fullName, slot);
    this.order.push(slot);
    return slot;
  }

  /** A fresh inline model name under `hint.parent`, numbered when taken. */
  private inlineSlot(hint: Hint, located: Located): Slot {
    const base = pascalCase(hint.name);
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? '' : String(n);
      const fullName = `${hint.parent}.${base}${suffix}`;
      if (this.byName.has(fullName) || this.takenNames.has(fullName)) continue;
      const slot = this.addSlot(fullName, `${hint.parentClass}${base}${suffix}`, located);
      if (slot !== undefined) return slot;
    }
  }

  private modelFor(name: string): ModelIr | undefined {
    const slot = this.byName.get(name);
    if (slot === undefined) return undefined;
    this.define(slot);
    return slot.model;
  }

  private define(slot: Slot): void {
    if (slot.state !== 'pending') return;
    slot.state = 'defining';
    const model = this.buildNamed(slot);
    if (model !== undefined) slot.model = model;
    slot.state = 'done';
  }

  private buildNamed(slot: Slot): ModelIr | undefined {
    const { located } = slot;
    let node = located.node;
    if (isSchemaObject(node) && !refOnly(node, located) && (node['allOf'] !== undefined || (node['$ref'] !== undefined && hasValidation(node)))) {
      const merged = this.merger.merge(located);
      if (merged === undefined) return undefined;
      node = merged;
    }
    const hint: Hint = { parent: slot.fullName, parentClass: slot.className, name: '' };
    const base = {
      fullName: slot.fullName,
      className: slot.className,
      aliases: [],
      format: 'jsonschema' as const,
      source: located.sdoc.source,
      pointer: located.pointer,
      ...(isSchemaObject(node) && typeof node['description'] === 'string' ? { doc: node['description'] } : {}),
    };
    if (isSchemaObject(node) && typeof node['$ref'] === 'string') {
      // A named schema that is only a $ref is an alias of its target.
      const target = this.docs.resolve(node['$ref'], located);
      const type = target === undefined ? undefined : this.convertLocation(target, hint);
      return type === undefined ? undefined : { ...base, kind: 'alias', type };
    }
    if (isSchemaObject(node)) {
      const at: Located = { ...located, node };
      if (isRecordSchema(node)) {
        this.checkKeywords(node, at);
        return { ...base, kind: 'record', ...this.recordBody(node, at, hint) };
      }
      const values = node['enum'];
      if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string') && node['const'] === undefined) {
        this.checkKeywords(node, at);
        return { ...base, kind: 'enum', symbols: [...new Set(values as string[])] };
      }
      if (node['oneOf'] !== undefined || node['anyOf'] !== undefined) {
        const type = this.convertBody(node, at, hint);
        return type === undefined ? undefined : { ...base, kind: 'union', type };
      }
      const type = this.convertBody(node, at, hint);
      return type === undefined ? undefined : { ...base, kind: 'alias', type };
    }
    const type = this.convertNode(node, located, hint);
    return type === undefined ? undefined : { ...base, kind: 'alias', type };
  }

  /** Converts the schema at a location, which may be a named model, an inline object or anything else. */
  private convertNode(node: unknown, at: Located, hint: Hint): IrType | undefined {
    const target = asLocatedRef(node);
    if (target !== undefined) return this.convertLocation(target, hint);
    if (node === true) return { kind: 'unknown' };
    // `false` accepts no value: a property that may not be present, an array that must be empty, a branch that never matches.
    if (node === false) return { kind: 'never' };
    if (!isSchemaObject(node)) {
      this.sink.report(at.sdoc.source, at.pointer, `expected a schema (an object or a boolean), got ${JSON.stringify(node)}`);
      return undefined;
    }
    const slot = this.slots.get(locationKey(at));
    if (slot !== undefined && slot.located.node === node) return { kind: 'ref', name: slot.fullName };
    const ref = node['$ref'];
    if (!refOnly(node, at) && (node['allOf'] !== undefined || (typeof ref === 'string' && hasValidation(node)))) {
      const merged = this.merger.merge({ ...at, node });
      return merged === undefined ? undefined : merged === false ? { kind: 'never' } : this.convertBody(merged, { ...at, node: merged }, hint);
    }
    if (ref !== undefined) {
      if (typeof ref !== 'string') {
        this.sink.report(at.sdoc.source, pointerJoin(at.pointer, '$ref'), '$ref must be a string');
        return undefined;
      }
      const resolved = this.docs.resolve(ref, at);
      return resolved === undefined ? undefined : this.convertLocation(resolved, hint);
    }
    return this.convertBody(node, at, hint);
  }

  private convertLocation(target: Located, hint: Hint): IrType | undefined {
    const key = locationKey(target);
    const slot = this.slots.get(key);
    if (slot !== undefined) return { kind: 'ref', name: slot.fullName };
    if (this.active.has(key)) {
      this.sink.report(target.sdoc.source, target.pointer, '$ref cycle through a schema that is not in $defs', 'move the recursive schema to $defs so that it becomes a named model');
      return undefined;
    }
    this.active.add(key);
    try {
      return this.convertNode(target.node, target, hint);
    } finally {
      this.active.delete(key);
    }
  }

  private checkKeywords(node: SchemaNode, at: Located): void {
    for (const keyword of unsupportedKeywords) {
      if (node[keyword] !== undefined) {
        this.sink.report(at.sdoc.source, pointerJoin(at.pointer, keyword), `keyword "${keyword}" is not supported by faustgen`, 'remove it or express the constraint with supported keywords');
      }
    }
    if (node['uniqueItems'] === true) this.sink.report(at.sdoc.source, pointerJoin(at.pointer, 'uniqueItems'), 'keyword "uniqueItems" is not supported by faustgen');
  }

  /** Converts a schema object's own keywords (no $ref/allOf left). */
  private convertBody(node: SchemaNode, at: Located, hint: Hint): IrType | undefined {
    this.checkKeywords(node, at);
    const report = (keyword: string, message: string): undefined => {
      this.sink.report(at.sdoc.source, keyword === '' ? at.pointer : pointerJoin(at.pointer, keyword), message);
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
      if (node[keyword] !== undefined) return this.convertUnion(node, keyword, at, hint);
    }
    const type = node['type'];
    if (Array.isArray(type)) {
      if (type.length === 0 || !type.every((t) => typeof t === 'string')) return report('type', 'type must be a string or a non-empty array of strings');
      const branches: IrType[] = [];
      for (const t of type as string[]) {
        const branch = this.convertTyped(t, node, at, hint);
        if (branch === undefined) return undefined;
        branches.push(branch);
      }
      return branches.length === 1 ? branches[0] : { kind: 'union', branches, mode: 'anyOf' };
    }
    if (type !== undefined && typeof type !== 'string') return report('type', 'type must be a string or an array of strings');
    if (type !== undefined) return this.convertTyped(type, node, at, hint);
    return this.convertUntyped(node, at, hint);
  }

  /**
   * A schema without `type`: each keyword constrains only values of its own JSON type and every
   * other type passes (`{"pattern": "^a"}` accepts 5). Object keywords (`properties`, `required`)
   * still make a record, a deliberate reading: see docs/type-mapping.md.
   */
  private convertUntyped(node: SchemaNode, at: Located, hint: Hint): IrType | undefined {
    const implied = impliedTypes(node);
    if (implied.length === 0) return { kind: 'unknown' };
    if (implied.includes('object') && isRecordSchema(node)) return this.convertTyped('object', node, at, hint);
    const branches: IrType[] = [];
    for (const t of implied) {
      const branch = this.convertTyped(t, node, at, hint);
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

  private convertTyped(type: string | undefined, node: SchemaNode, at: Located, hint: Hint): IrType | undefined {
    switch (type) {
      case undefined:
        return { kind: 'unknown' };
      case 'null':
        return { kind: 'null' };
      case 'boolean':
        return { kind: 'boolean' };
      case 'integer':
      case 'number':
        return numberType(type === 'integer', node, at, this.sink);
      case 'string':
        return stringType(node, at, this.sink);
      case 'array':
        return this.convertArray(node, at, hint);
      case 'object':
        if (isRecordSchema(node)) {
          // A named schema such as {"type": ["object", "null"], ...} is itself being defined: its object part is a new record.
          const existing = this.slots.get(locationKey(at));
          const slot = existing !== undefined && existing.state !== 'defining' ? existing : this.inlineSlot(titled(node, hint), at);
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
              ...this.recordBody(node, at, { parent: slot.fullName, parentClass: slot.className, name: '' }),
            };
            slot.state = 'done';
          }
          return { kind: 'ref', name: slot.fullName };
        }
        if (isSchemaObject(node['additionalProperties']) || asLocatedRef(node['additionalProperties']) !== undefined) {
          const values = this.convertNode(node['additionalProperties'], { ...at, pointer: pointerJoin(at.pointer, 'additionalProperties') }, { ...hint, name: `${hint.name}Value` });
          return values === undefined ? undefined : { kind: 'map', values };
        }
        return { kind: 'map', values: { kind: 'unknown' } };
      default:
        this.sink.report(at.sdoc.source, pointerJoin(at.pointer, 'type'), `unknown type ${JSON.stringify(type)}`);
        return undefined;
    }
  }

  private recordBody(node: SchemaNode, at: Located, hint: Hint): { fields: IrField[]; extra: 'allow' | 'reject' | IrType; metadata: boolean } {
    const properties = isSchemaObject(node['properties']) ? node['properties'] : {};
    const required = Array.isArray(node['required']) ? node['required'].filter((r): r is string => typeof r === 'string') : [];
    const fields: IrField[] = [];
    const additional = node['additionalProperties'];
    let extra: 'allow' | 'reject' | IrType = 'allow';
    if (additional === false) extra = 'reject';
    else if (additional !== undefined && additional !== true) {
      extra = this.convertNode(additional, { ...at, pointer: pointerJoin(at.pointer, 'additionalProperties') }, { ...hint, name: 'Extra' }) ?? 'allow';
    }
    for (const [name, propNode] of Object.entries(properties)) {
      const pointer = pointerJoin(pointerJoin(at.pointer, 'properties'), name);
      const reserved = fieldNameProblem(name);
      if (reserved !== undefined) {
        this.sink.report(at.sdoc.source, pointer, reserved, 'rename the property');
        continue;
      }
      const type = this.convertNode(propNode, { ...at, pointer, node: propNode }, { ...hint, name });
      if (type === undefined) continue;
      const target = asLocatedRef(propNode)?.node ?? propNode;
      const doc = isSchemaObject(target) && typeof target['description'] === 'string' ? { doc: target['description'] } : {};
      const defaultNode = isSchemaObject(propNode) && Object.hasOwn(propNode, 'default') ? propNode : isSchemaObject(target) && Object.hasOwn(target, 'default') ? target : undefined;
      if (defaultNode !== undefined) {
        const value = defaultValue(type, defaultNode['default'], (n) => this.modelFor(n));
        if (typeof value === 'string') {
          this.sink.report(at.sdoc.source, pointerJoin(pointer, 'default'), `default of property ${name} ${value}`);
          continue;
        }
        // A property with a default is always present in the model: the constructor and decoding fill it in.
        fields.push({ name, type, optional: false, aliases: [], pointer, defaultValue: value, ...doc });
        continue;
      }
      if (type.kind === 'never' && required.includes(name)) {
        this.sink.report(at.sdoc.source, pointer, `required property "${name}" accepts no value (its schema is \`false\`): no object is valid`);
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
      if (reserved !== undefined) this.sink.report(at.sdoc.source, requiredAt, reserved, 'rename the property');
      else if (extra === 'reject') this.sink.report(at.sdoc.source, requiredAt, `required property "${name}" is not in "properties" and additionalProperties is false: no value is valid`);
      else fields.push({ name, type: extra === 'allow' ? { kind: 'unknown' } : extra, optional: false, aliases: [], pointer: requiredAt });
    }
    // Faust's "__faust" key would make records with additionalProperties: false invalid against their own schema.
    return { fields, extra, metadata: extra !== 'reject' };
  }

  private convertArray(node: SchemaNode, at: Located, hint: Hint): IrType | undefined {
    const counts: { minItems?: number; maxItems?: number } = {};
    for (const key of ['minItems', 'maxItems'] as const) {
      const value = node[key];
      if (value === undefined) continue;
      if (!Number.isInteger(value) || (value as number) < 0) {
        this.sink.report(at.sdoc.source, pointerJoin(at.pointer, key), `"${key}" must be a non-negative integer`);
        return undefined;
      }
      counts[key] = value as number;
    }
    const items = node['items'];
    const prefixKey = Array.isArray(node['prefixItems']) ? 'prefixItems' : Array.isArray(items) ? 'items' : undefined;
    const child = (key: string, value: unknown, name: string): IrType | undefined =>
      this.convertNode(value, { ...at, pointer: pointerJoin(at.pointer, key), node: value }, { ...hint, name });
    if (prefixKey === undefined) {
      const itemType = items === undefined ? { kind: 'unknown' as const } : child('items', items, `${hint.name}Item`);
      return itemType === undefined ? undefined : { kind: 'array', items: itemType, ...counts };
    }
    const prefixNodes = node[prefixKey] as unknown[];
    const prefix: IrType[] = [];
    for (const [i, item] of prefixNodes.entries()) {
      const t = this.convertNode(item, { ...at, pointer: pointerJoin(pointerJoin(at.pointer, prefixKey), i), node: item }, { ...hint, name: `${hint.name}Item${i}` });
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

  private convertUnion(node: SchemaNode, keyword: 'oneOf' | 'anyOf', at: Located, hint: Hint): IrType | undefined {
    const members = node[keyword];
    const membersAt = pointerJoin(at.pointer, keyword);
    if (!Array.isArray(members) || members.length === 0) {
      this.sink.report(at.sdoc.source, membersAt, `${keyword} must be a non-empty array of schemas`);
      return undefined;
    }
    // Sibling keywords (e.g. shared properties, a type, an anyOf next to this oneOf) apply to every
    // branch, as allOf would.
    const { [keyword]: _members, title: _t, description: _d, ...base } = node;
    const baseType = base['type'];
    const hasBase = Object.keys(base).some((k) => k !== 'type' && schemaKeywords.has(k));
    const branches: IrType[] = [];
    for (const [i, member] of members.entries()) {
      const memberAt: Located = { ...at, pointer: pointerJoin(membersAt, i), node: member };
      const memberNode = asLocatedRef(member)?.node ?? member;
      const name = isSchemaObject(memberNode) && typeof memberNode['title'] === 'string' ? memberNode['title'] : `${hint.name}Option${i + 1}`;
      const branchHint = { ...hint, name };
      const memberType = baseType === undefined ? undefined : this.declaredType(memberAt);
      // A branch of a type the base excludes matches no value: it adds nothing to anyOf nor to oneOf.
      if (baseType !== undefined && memberType !== undefined && intersectTypes(baseType, memberType) === undefined) continue;
      let branch: IrType | undefined;
      // A branch that already says the base's type (e.g. a named record next to `type: "object"`) is
      // kept as written, so named models stay references; any other branch is merged with the base.
      if (hasBase || (baseType !== undefined && !typeWithin(memberType, baseType))) {
        const merged = this.merger.merge({ ...at, node: { ...base, allOf: [locatedRef(memberAt)] } });
        branch = merged === undefined ? undefined : merged === false ? { kind: 'never' } : this.convertBody(merged, { ...memberAt, node: merged }, branchHint);
      } else {
        branch = this.convertNode(member, memberAt, branchHint);
      }
      if (branch === undefined) return undefined;
      if (branch.kind !== 'never') branches.push(branch);
    }
    // No branch can match (all `false`, or of types the base excludes): no value is valid.
    if (branches.length === 0) return { kind: 'never' };
    if (branches.length === 1) return branches[0];
    const discriminator = findDiscriminator(branches, (name) => this.modelFor(name));
    return { kind: 'union', branches, mode: keyword, ...(discriminator === undefined ? {} : { discriminator }) };
  }

  /**
   * The JSON types a schema declares for itself (`type`, or `object` for a record schema), following
   * a `$ref` that stands for its whole schema object; undefined when it does not say.
   */
  private declaredType(at: Located): unknown {
    let place: Located = asLocatedRef(at.node) ?? at;
    for (let hops = 0; hops < 32; hops++) {
      const node = place.node;
      if (!isSchemaObject(node)) return undefined;
      const ref = node['$ref'];
      const onlyRef = refOnly(node, place);
      if (!onlyRef && node['type'] !== undefined) return node['type'];
      if (typeof ref !== 'string') return isRecordSchema(node) ? 'object' : undefined;
      if (!onlyRef && (hasValidation(node) || node['allOf'] !== undefined)) return undefined;
      const target = this.docs.resolve(ref, place, true);
      if (target === undefined) return undefined;
      place = target;
    }
    return undefined;
  }
}

/** Whether every JSON type of `member` is one of `base`'s (an integer is a number). */
function typeWithin(member: unknown, base: unknown): boolean {
  if (member === undefined) return false;
  const list = (t: unknown): unknown[] => (Array.isArray(t) ? t : [t]);
  const baseTypes = list(base);
  return list(member).every((t) => baseTypes.includes(t) || (t === 'integer' && baseTypes.includes('number')));
}

/** Draft-07: a schema object with `$ref` is that reference alone; its other keywords are ignored. */
function refOnly(node: SchemaNode, at: Located): boolean {
  return typeof node['$ref'] === 'string' && at.sdoc.draft === 'draft-07';
}

function titled(node: SchemaNode, hint: Hint): Hint {
  return typeof node['title'] === 'string' ? { ...hint, name: node['title'] } : hint;
}

