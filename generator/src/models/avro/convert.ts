/** Pass 2 over Avro: turn every collected definition into a model, resolving references by full name. */
import { basename } from 'node:path';
import type { IrField, IrType, ModelIr } from '../ir.js';
import { pointerJoin } from '../json-locate.js';
import { avroNamePattern, fieldNameProblem, pascalCase, printable, typeNameProblem } from '../names.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';
import type { AvroDefinition, AvroDefinitions } from './collect.js';
import { isObject } from './collect.js';
import { readLogical } from './logical.js';
import { taggedBranches } from './union-tags.js';
import { avroNamedKinds, avroPrimitives, qualifyDefinition, qualifyReference, shortName } from './names.js';

export function convertAvro(docs: readonly SourceDoc[], defs: AvroDefinitions, sink: DiagnosticSink): ModelIr[] {
  const converter = new AvroConverter(defs, sink);
  const models: ModelIr[] = [];
  for (const def of defs.byName.values()) {
    const model = converter.convertDefinition(def);
    if (model !== undefined) models.push(model);
  }
  for (const doc of docs) {
    const model = converter.topLevelModel(doc, models);
    if (model !== undefined) models.push(model);
  }
  return models;
}

function optionalDoc(node: Readonly<Record<string, unknown>>): { doc?: string } {
  const doc = node['doc'];
  return typeof doc === 'string' ? { doc } : {};
}

class AvroConverter {
  constructor(
    private readonly defs: AvroDefinitions,
    private readonly sink: DiagnosticSink,
  ) {}

  /**
   * A file whose top-level schema is not a named type (a primitive, an array, a map, a union or a
   * reference) defines a type named after the file: `order-lines.avsc` → `OrderLines`, in the null
   * namespace. A top-level union whose branches are all named types defined inline is also read as
   * a bundle of definitions; its own type is generated unless its name is taken.
   */
  topLevelModel(doc: SourceDoc, models: readonly ModelIr[]): ModelIr | undefined {
    const root = doc.json.value;
    if (isObject(root) && typeof root['type'] === 'string' && avroNamedKinds.has(root['type'])) return undefined;
    const type = this.convertType(root, '', undefined, doc);
    if (type === undefined) return undefined;
    const className = pascalCase(basename(doc.absPath).replace(/\.avsc$/i, ''));
    const bundle = Array.isArray(root) && root.length > 0 && root.every((b) => isObject(b) && typeof b['type'] === 'string' && avroNamedKinds.has(b['type']));
    const problem = typeNameProblem(className);
    const taken = models.find((m) => m.className === className || m.fullName === className);
    if (bundle && (problem !== undefined || taken !== undefined)) return undefined;
    if (problem !== undefined) {
      this.sink.report(doc, '', `the top-level type is named after the file, and ${className} ${problem}`, 'rename the file');
      return undefined;
    }
    if (taken !== undefined) {
      this.sink.report(doc, '', `the top-level type is named after the file, ${className}, but ${taken.fullName} (${taken.source.relPath}) has that name`, 'rename the file');
      return undefined;
    }
    return { kind: 'alias', fullName: className, className, aliases: [], format: 'avro', source: doc, pointer: '', type };
  }

  convertDefinition(def: AvroDefinition): ModelIr | undefined {
    const { node, pointer, doc, fullName } = def;
    const className = shortName(fullName);
    const problem = typeNameProblem(className);
    if (problem !== undefined) {
      this.sink.report(doc, pointerJoin(pointer, 'name'), `type name ${problem}`, 'rename the type (Avro aliases can keep the old name for schema resolution)');
      // Still look at the fields, so that their problems are reported in this same run.
      if (node['type'] === 'record' || node['type'] === 'error') this.convertFields(def);
      return undefined;
    }
    const base = { fullName, className, aliases: def.aliases, format: 'avro' as const, source: doc, pointer, ...optionalDoc(node) };
    switch (node['type']) {
      case 'enum':
        return this.convertEnum(def, base);
      case 'fixed':
        return this.convertFixed(def, base);
      default:
        return { ...base, kind: 'record', fields: this.convertFields(def), extra: 'allow', metadata: true };
    }
  }

  private convertEnum(def: AvroDefinition, base: Omit<ModelIr, 'kind'>): ModelIr | undefined {
    const { node, pointer, doc } = def;
    const symbols = node['symbols'];
    const at = pointerJoin(pointer, 'symbols');
    if (!Array.isArray(symbols) || symbols.length === 0) {
      this.sink.report(doc, at, 'an enum needs a non-empty "symbols" array');
      return undefined;
    }
    const seen = new Set<string>();
    let ok = true;
    symbols.forEach((symbol: unknown, i) => {
      if (typeof symbol !== 'string' || !avroNamePattern.test(symbol)) {
        this.sink.report(doc, pointerJoin(at, i), `enum symbol ${JSON.stringify(symbol)} must match [A-Za-z_][A-Za-z0-9_]*`);
        ok = false;
      } else if (symbol in Object.prototype) {
        // avsc indexes symbols in a plain object, where these names already exist.
        this.sink.report(doc, pointerJoin(at, i), `enum symbol ${symbol} is a built-in object property name, which avsc cannot encode`, 'rename the symbol');
        ok = false;
      } else if (seen.has(symbol)) {
        this.sink.report(doc, pointerJoin(at, i), `duplicate enum symbol ${symbol}`);
        ok = false;
      } else seen.add(symbol);
    });
    const fallback = node['default'];
    if (fallback !== undefined && (typeof fallback !== 'string' || !seen.has(fallback))) {
      this.sink.report(doc, pointerJoin(pointer, 'default'), `enum default ${JSON.stringify(fallback)} is not one of its symbols`);
      ok = false;
    }
    if (!ok) return undefined;
    return { ...base, kind: 'enum', symbols: [...seen], ...(typeof fallback === 'string' ? { avroDefault: fallback } : {}) };
  }

  private convertFixed(def: AvroDefinition, base: Omit<ModelIr, 'kind'>): ModelIr | undefined {
    const { node, pointer, doc } = def;
    const size = node['size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
      this.sink.report(doc, pointerJoin(pointer, 'size'), `a fixed needs a positive integer "size", got ${JSON.stringify(size) ?? 'nothing'}`);
      return undefined;
    }
    const logical = readLogical(node, 'fixed', size, pointer, doc, this.sink);
    if (logical === null) return undefined;
    return { ...base, kind: 'fixed', size, ...(logical === undefined ? {} : { logical }) };
  }

  private convertFields(def: AvroDefinition): IrField[] {
    const { node, pointer, doc, namespace } = def;
    const fields = node['fields'];
    const at = pointerJoin(pointer, 'fields');
    if (!Array.isArray(fields)) {
      this.sink.report(doc, at, 'a record needs a "fields" array');
      return [];
    }
    const out: IrField[] = [];
    const seen = new Set<string>();
    fields.forEach((field: unknown, i) => {
      const fieldPointer = pointerJoin(at, i);
      if (!isObject(field)) {
        this.sink.report(doc, fieldPointer, 'a field must be an object with "name" and "type"');
        return;
      }
      const name = field['name'];
      const namePointer = pointerJoin(fieldPointer, 'name');
      if (typeof name !== 'string' || !avroNamePattern.test(name)) {
        this.sink.report(doc, namePointer, `field name ${JSON.stringify(name) ?? 'is missing and'} must match [A-Za-z_][A-Za-z0-9_]*`);
        return;
      }
      const reserved = fieldNameProblem(name);
      if (reserved !== undefined) this.sink.report(doc, namePointer, reserved, 'rename the field and keep the old name in "aliases"');
      if (seen.has(name)) this.sink.report(doc, namePointer, `duplicate field name ${name} in ${def.fullName}`);
      seen.add(name);
      if (!Object.hasOwn(field, 'type')) {
        this.sink.report(doc, fieldPointer, `field ${name} has no "type"`);
        return;
      }
      const type = this.convertType(field['type'], pointerJoin(fieldPointer, 'type'), namespace, doc);
      const aliases = Array.isArray(field['aliases']) ? field['aliases'].filter((a): a is string => typeof a === 'string') : [];
      if (type === undefined || reserved !== undefined) return;
      out.push({
        name,
        type,
        optional: false,
        aliases,
        pointer: fieldPointer,
        ...optionalDoc(field),
        ...(Object.hasOwn(field, 'default') ? { avroDefault: { json: field['default'] } } : {}),
      });
    });
    return out;
  }

  /** The IR of any Avro type expression; undefined after reporting a problem. */
  convertType(node: unknown, pointer: string, namespace: string | undefined, doc: SourceDoc): IrType | undefined {
    if (typeof node === 'string') return this.convertNameRef(node, pointer, namespace, doc);
    if (Array.isArray(node)) return this.convertUnion(node, pointer, namespace, doc);
    if (!isObject(node)) {
      this.sink.report(doc, pointer, `expected an Avro type (a name, an object or a union array), got ${JSON.stringify(node)}`);
      return undefined;
    }
    const type = node['type'];
    if (typeof type === 'string' && avroNamedKinds.has(type)) {
      if (typeof node['name'] !== 'string') return undefined; // reported by the collector
      return { kind: 'ref', name: qualifyDefinition(node['name'], node['namespace'], namespace).fullName };
    }
    if (type === 'array' || type === 'map') {
      const key = type === 'array' ? 'items' : 'values';
      if (!Object.hasOwn(node, key)) {
        this.sink.report(doc, pointer, `an ${type} needs "${key}"`);
        return undefined;
      }
      const inner = this.convertType(node[key], pointerJoin(pointer, key), namespace, doc);
      if (inner === undefined) return undefined;
      return type === 'array' ? { kind: 'array', items: inner } : { kind: 'map', values: inner };
    }
    if (typeof type === 'string' && avroPrimitives.has(type)) {
      const logical = readLogical(node, type, undefined, pointer, doc, this.sink);
      if (logical === null) return undefined;
      const base = { kind: type === 'string' ? 'string' : type, ...(type === 'string' ? { rules: {} } : {}) } as IrType;
      return logical === undefined ? base : { kind: 'logical', ...logical, base };
    }
    if (type === undefined) {
      this.sink.report(doc, pointer, 'an Avro type object needs a "type"');
      return undefined;
    }
    // {"type": "com.acme.Name"} or {"type": {...}} / {"type": [...]} wrapping another type.
    return this.convertType(type, pointerJoin(pointer, 'type'), namespace, doc);
  }

  private convertNameRef(name: string, pointer: string, namespace: string | undefined, doc: SourceDoc): IrType | undefined {
    if (avroPrimitives.has(name)) return name === 'string' ? { kind: 'string', rules: {} } : ({ kind: name } as IrType);
    if (avroNamedKinds.has(name) || name === 'array' || name === 'map') {
      this.sink.report(doc, pointer, `"${name}" must be written as an object, e.g. {"type": "${name}", ...}`);
      return undefined;
    }
    // Per the spec a short name lives in the enclosing namespace; fall back to the null namespace as Java does.
    for (const candidate of [qualifyReference(name, namespace), name]) {
      if (this.defs.byName.has(candidate)) return { kind: 'ref', name: candidate };
      const aliased = this.defs.aliases.get(candidate);
      if (aliased !== undefined) return { kind: 'ref', name: aliased };
    }
    const short = name.slice(name.lastIndexOf('.') + 1);
    const similar = [...this.defs.byName.keys()].filter((n) => n.endsWith(`.${short}`) || n === short);
    this.sink.report(
      doc,
      pointer,
      `unknown type "${printable(name)}"`,
      similar.length > 0 ? `did you mean ${similar.join(' or ')}?` : 'define it in one of the schema files or use its full name',
    );
    return undefined;
  }

  private convertUnion(node: readonly unknown[], pointer: string, namespace: string | undefined, doc: SourceDoc): IrType | undefined {
    const branches: IrType[] = [];
    const keys = new Map<string, number>();
    let ok = true;
    node.forEach((branchNode, i) => {
      const at = pointerJoin(pointer, i);
      if (Array.isArray(branchNode)) {
        this.sink.report(doc, at, 'a union cannot directly contain another union');
        ok = false;
        return;
      }
      const branch = this.convertType(branchNode, at, namespace, doc);
      if (branch === undefined) {
        ok = false;
        return;
      }
      const key = branchKey(branch);
      const previous = keys.get(key);
      if (previous !== undefined) {
        this.sink.report(doc, at, `union branches ${previous} and ${i} are both ${key}; Avro allows one branch per type`);
        ok = false;
      }
      keys.set(key, i);
      branches.push(branch);
    });
    if (node.length === 0) {
      this.sink.report(doc, pointer, 'an empty union has no values');
      return undefined;
    }
    if (!ok) return undefined;
    const tagged = taggedBranches(branches, (name) => this.defs.byName.get(name)?.node);
    return { kind: 'union', branches, mode: 'avro', ...(tagged === undefined ? {} : { tagged }) };
  }
}

/** Avro's branch identity: named types by full name, others by type (logical types by their base). */
function branchKey(type: IrType): string {
  if (type.kind === 'ref') return type.name;
  if (type.kind === 'logical') return branchKey(type.base);
  return type.kind;
}
