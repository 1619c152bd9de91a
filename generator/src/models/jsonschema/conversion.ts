/**
 * What the modules that map parts of a schema (keywords, objects, arrays, unions) share: where to
 * report, how to resolve and merge, the named models, and the two ways back into the conversion of
 * a nested schema. Passed as an interface so that those modules do not import one another in a
 * cycle (a union's branch holds an object, whose property holds a union, ...).
 */
import type { IrType, ModelIr } from '../ir.js';
import type { DiagnosticSink } from '../source.js';
import type { Located, SchemaDocuments } from './documents.js';
import type { AllOfMerger, SchemaNode } from './merge.js';
import type { ModelSlots, NameHint } from './model-slots.js';

export interface Conversion {
  readonly sink: DiagnosticSink;
  readonly docs: SchemaDocuments;
  readonly merger: AllOfMerger;
  readonly slots: ModelSlots;
  /** Converts the schema at a location, which may be a named model, a `$ref`, an `allOf`, a boolean or keywords. */
  subschema(node: unknown, at: Located, hint: NameHint): IrType | undefined;
  /** Converts a schema object's own keywords (no `$ref`/`allOf` left). */
  keywords(node: SchemaNode, at: Located, hint: NameHint): IrType | undefined;
  /** The named model, built first when it is not yet. */
  modelFor(name: string): ModelIr | undefined;
}
