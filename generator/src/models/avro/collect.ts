/**
 * Pass 1 over Avro files: find every named definition (also those nested inside records and unions)
 * in all files, so that pass 2 can resolve references in any order and across files.
 */
import { pointerJoin } from '../json-locate.js';
import { printable } from '../names.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';
import { avroNamedKinds, invalidNameParts, qualifyDefinition } from './names.js';

export interface AvroDefinition {
  readonly fullName: string;
  readonly namespace: string | undefined;
  readonly node: Readonly<Record<string, unknown>>;
  readonly pointer: string;
  readonly doc: SourceDoc;
  readonly aliases: readonly string[];
}

export interface AvroDefinitions {
  readonly byName: Map<string, AvroDefinition>;
  /** Alias full name -> full name of the definition it names. */
  readonly aliases: Map<string, string>;
}

export function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function collectDefinitions(docs: readonly SourceDoc[], sink: DiagnosticSink): AvroDefinitions {
  const defs: AvroDefinitions = { byName: new Map(), aliases: new Map() };
  for (const doc of docs) walk(doc.json.value, '', undefined, doc, defs, sink);
  return defs;
}

function walk(node: unknown, pointer: string, enclosing: string | undefined, doc: SourceDoc, defs: AvroDefinitions, sink: DiagnosticSink): void {
  if (Array.isArray(node)) {
    node.forEach((branch: unknown, i) => walk(branch, pointerJoin(pointer, i), enclosing, doc, defs, sink));
    return;
  }
  if (!isObject(node)) return;
  const type = node['type'];
  if (typeof type === 'string' && avroNamedKinds.has(type)) {
    const ns = register(node, pointer, enclosing, doc, defs, sink);
    if (type === 'record' || type === 'error') {
      const fields = node['fields'];
      if (Array.isArray(fields)) {
        fields.forEach((field: unknown, i) => {
          if (isObject(field)) walk(field['type'], pointerJoin(pointerJoin(pointerJoin(pointer, 'fields'), i), 'type'), ns, doc, defs, sink);
        });
      }
    }
    return;
  }
  if (type === 'array') walk(node['items'], pointerJoin(pointer, 'items'), enclosing, doc, defs, sink);
  else if (type === 'map') walk(node['values'], pointerJoin(pointer, 'values'), enclosing, doc, defs, sink);
  else if (typeof type === 'object') walk(type, pointerJoin(pointer, 'type'), enclosing, doc, defs, sink);
}

/** Registers a named definition and returns the namespace its contents are resolved in. */
function register(
  node: Readonly<Record<string, unknown>>,
  pointer: string,
  enclosing: string | undefined,
  doc: SourceDoc,
  defs: AvroDefinitions,
  sink: DiagnosticSink,
): string | undefined {
  const name = node['name'];
  if (typeof name !== 'string') {
    sink.report(doc, pointer, `a ${String(node['type'])} needs a "name" string`);
    return enclosing;
  }
  const namespace = node['namespace'];
  if (namespace !== undefined && typeof namespace !== 'string') sink.report(doc, pointerJoin(pointer, 'namespace'), '"namespace" must be a string');
  const { fullName, namespace: ns } = qualifyDefinition(name, namespace, enclosing);
  const bad = invalidNameParts(fullName);
  if (bad.length > 0) {
    sink.report(doc, pointerJoin(pointer, 'name'), `invalid Avro name "${printable(fullName)}": ${bad.map((p) => `"${printable(p)}"`).join(', ')} must match [A-Za-z_][A-Za-z0-9_]*`);
    return ns;
  }
  const previous = defs.byName.get(fullName);
  if (previous !== undefined) {
    const where = `${previous.doc.relPath}:${previous.doc.json.locate(previous.pointer).line}`;
    sink.report(doc, pointerJoin(pointer, 'name'), `duplicate type name ${fullName} (first defined at ${where})`);
    return ns;
  }
  const aliasOwner = defs.aliases.get(fullName);
  if (aliasOwner !== undefined) {
    sink.report(doc, pointerJoin(pointer, 'name'), `type name ${fullName} is already an alias of ${aliasOwner}`);
    return ns;
  }
  const aliases: string[] = [];
  const rawAliases = node['aliases'];
  if (rawAliases !== undefined) {
    if (!Array.isArray(rawAliases) || !rawAliases.every((a) => typeof a === 'string')) {
      sink.report(doc, pointerJoin(pointer, 'aliases'), '"aliases" must be an array of names');
    } else {
      rawAliases.forEach((alias: string, i) => {
        const aliasName = qualifyDefinition(alias, undefined, ns).fullName;
        const at = pointerJoin(pointerJoin(pointer, 'aliases'), i);
        if (invalidNameParts(aliasName).length > 0) sink.report(doc, at, `invalid alias "${printable(alias)}"`);
        else if (defs.aliases.has(aliasName) || defs.byName.has(aliasName)) sink.report(doc, at, `alias ${aliasName} is already used by another type`);
        else {
          defs.aliases.set(aliasName, fullName);
          aliases.push(aliasName);
        }
      });
    }
  }
  defs.byName.set(fullName, { fullName, namespace: ns, node, pointer, doc, aliases });
  return ns;
}
