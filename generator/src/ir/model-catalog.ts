import type { SourceLocation } from './diagnostics.js';

/** How the app emitter refers to a generated model, without knowing how models are generated. */
export interface ModelEntry {
  /** Fully qualified schema name, e.g. `com.acme.Order` (Avro) or the JSON Schema title/$id-derived name. */
  readonly fullName: string;
  /** Other names that refer to it: Avro aliases, the short name when unambiguous. */
  readonly aliases: readonly string[];
  /** Exported TypeScript name of the class (records) or type (enums and others). */
  readonly className: string;
  /** Module path of the generated file relative to the generated output folder, ending in `.js`. */
  readonly modulePath: string;
  readonly kind: 'record' | 'enum' | 'fixed' | 'union' | 'alias';
  /**
   * Name of the exported codec constants in that module, e.g. `{ json: 'OrderJsonCodec', avro: 'OrderAvroCodec' }`;
   * each is a `Codec<T>` from the runtime.
   */
  readonly codecs: Readonly<Partial<Record<'json' | 'avro', string>>>;
  readonly format: 'avro' | 'jsonschema';
  readonly location: SourceLocation;
  /** Doc string from the schema, if any (already sanitized for a comment). */
  readonly doc?: string;
  /** Field names and their TypeScript types, for `faustgen models --json` and `group_by` on a field. */
  readonly fields: readonly { readonly name: string; readonly tsType: string; readonly optional: boolean }[];
  /** JSON Schema models declared at the root of their file: that schema as compact JSON (what registry framing registers). */
  readonly jsonSchema?: string;
}

export interface ModelCatalog {
  readonly entries: readonly ModelEntry[];
  /** By full name or alias; undefined when unknown or ambiguous. */
  lookup(name: string): ModelEntry | undefined;
}
