/**
 * JSON Schema (draft-07 / 2020-12) to models. Roots and `$defs`/`definitions` entries become named
 * models; inline object schemas become named records under their parent; everything else maps to
 * IR types (see docs/type-mapping.md). Unsupported keywords are reported, never silently ignored.
 *
 * This module builds the named models; the conversion of what they hold is split by job:
 * subschemas.ts (`$ref`, `allOf`, booleans), keyword-mapping.ts (a schema object's own keywords),
 * objects.ts, arrays.ts and unions.ts (`oneOf`/`anyOf`).
 */
import type { IrType, ModelIr } from '../ir.js';
import type { DiagnosticSink, SourceDoc } from '../source.js';
import type { Conversion } from './conversion.js';
import { SchemaDocuments } from './documents.js';
import type { Located } from './documents.js';
import { convertKeywords, reportUnsupportedKeywords } from './keyword-mapping.js';
import { AllOfMerger } from './merge.js';
import type { SchemaNode } from './merge.js';
import { ModelSlots, hintUnder } from './model-slots.js';
import type { ModelSlot, NameHint } from './model-slots.js';
import { recordBody } from './objects.js';
import { hasValidation, isRecordSchema, isSchemaObject } from './schema-node.js';
import { SubschemaConverter, refOnly } from './subschemas.js';

export function convertJsonSchemas(sources: readonly SourceDoc[], sink: DiagnosticSink, takenNames: ReadonlyMap<string, string>): ModelIr[] {
  const converter = new JsonSchemaConverter(sink, takenNames);
  return converter.run(sources);
}

class JsonSchemaConverter implements Conversion {
  readonly docs: SchemaDocuments;
  readonly merger: AllOfMerger;
  readonly slots: ModelSlots;
  private readonly subschemas: SubschemaConverter;

  constructor(
    readonly sink: DiagnosticSink,
    takenNames: ReadonlyMap<string, string>,
  ) {
    this.docs = new SchemaDocuments(sink);
    this.merger = new AllOfMerger(this.docs, sink);
    this.slots = new ModelSlots(sink, takenNames);
    this.subschemas = new SubschemaConverter(this);
  }

  run(sources: readonly SourceDoc[]): ModelIr[] {
    for (const source of sources) this.slots.registerDocument(this.docs.add(source));
    // Building a model may reserve more slots (its inline records): the list grows as it is walked.
    const all = this.slots.all;
    for (let i = 0; i < all.length; i++) {
      const slot = all[i];
      if (slot !== undefined) this.define(slot);
    }
    return all.flatMap((s) => (s.model === undefined ? [] : [s.model]));
  }

  subschema(node: unknown, at: Located, hint: NameHint): IrType | undefined {
    return this.subschemas.convert(node, at, hint);
  }

  keywords(node: SchemaNode, at: Located, hint: NameHint): IrType | undefined {
    return convertKeywords(this, node, at, hint);
  }

  modelFor(name: string): ModelIr | undefined {
    const slot = this.slots.named(name);
    if (slot === undefined) return undefined;
    this.define(slot);
    return slot.model;
  }

  private define(slot: ModelSlot): void {
    if (slot.state !== 'pending') return;
    slot.state = 'defining';
    const model = this.buildNamed(slot);
    if (model !== undefined) slot.model = model;
    slot.state = 'done';
  }

  private buildNamed(slot: ModelSlot): ModelIr | undefined {
    const { located } = slot;
    let node = located.node;
    if (isSchemaObject(node) && !refOnly(node, located) && (node['allOf'] !== undefined || (node['$ref'] !== undefined && hasValidation(node)))) {
      const merged = this.merger.merge(located);
      if (merged === undefined) return undefined;
      node = merged;
    }
    const hint = hintUnder(slot);
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
      const type = target === undefined ? undefined : this.subschemas.convertTarget(target, hint);
      return type === undefined ? undefined : { ...base, kind: 'alias', type };
    }
    if (isSchemaObject(node)) {
      const at: Located = { ...located, node };
      if (isRecordSchema(node)) {
        reportUnsupportedKeywords(node, at, this.sink);
        return { ...base, kind: 'record', ...recordBody(this, node, at, hint) };
      }
      const values = node['enum'];
      if (Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string') && node['const'] === undefined) {
        reportUnsupportedKeywords(node, at, this.sink);
        return { ...base, kind: 'enum', symbols: [...new Set(values as string[])] };
      }
      if (node['oneOf'] !== undefined || node['anyOf'] !== undefined) {
        const type = this.keywords(node, at, hint);
        return type === undefined ? undefined : { ...base, kind: 'union', type };
      }
      const type = this.keywords(node, at, hint);
      return type === undefined ? undefined : { ...base, kind: 'alias', type };
    }
    const type = this.subschema(node, located, hint);
    return type === undefined ? undefined : { ...base, kind: 'alias', type };
  }
}
