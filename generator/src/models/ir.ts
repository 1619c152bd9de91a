/**
 * The models IR: what both the Avro and the JSON Schema front ends produce and the emitter consumes.
 * Types mirror the runtime descriptors (runtime/src/codegen/descriptors.ts) one to one, except that
 * named types are referenced by full name.
 */
import type {
  DiscriminatorDesc,
  JsonPrimitive,
  JsonValue,
  LogicalName,
  NumberRules,
  StringRules,
} from '../../../runtime/src/codegen/descriptors.js';
import type { SourceDoc } from './source.js';

export type IrType =
  | { readonly kind: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'unknown' | 'never' }
  | { readonly kind: 'number'; readonly rules: NumberRules }
  | {
      readonly kind: 'string';
      readonly rules: StringRules;
      /** A `format` kept as an annotation (JSON Schema 2020-12): it names the TypeScript alias but is not validated. */
      readonly formatType?: NonNullable<StringRules['format']>;
    }
  | { readonly kind: 'literal'; readonly values: readonly JsonValue[] }
  | { readonly kind: 'array'; readonly items: IrType; readonly minItems?: number; readonly maxItems?: number }
  | { readonly kind: 'tuple'; readonly prefix: readonly IrType[]; readonly rest: IrType | null; readonly required: number; readonly maxItems?: number }
  | { readonly kind: 'map'; readonly values: IrType }
  | { readonly kind: 'union'; readonly branches: readonly IrType[]; readonly mode: 'avro' | 'oneOf' | 'anyOf'; readonly discriminator?: DiscriminatorDesc; readonly tagged?: readonly number[] }
  | { readonly kind: 'logical'; readonly logical: LogicalName; readonly precision?: number; readonly scale?: number; readonly base: IrType }
  | { readonly kind: 'ref'; readonly name: string };

export type IrKind = IrType['kind'];

/** A default value in model form, ready to print as a TypeScript expression. */
export type TsValue =
  | { readonly t: 'literal'; readonly value: JsonPrimitive }
  | { readonly t: 'bytes'; readonly base64: string }
  | { readonly t: 'array'; readonly items: readonly TsValue[] }
  | { readonly t: 'object'; readonly entries: readonly (readonly [string, TsValue])[] }
  | { readonly t: 'record'; readonly name: string; readonly entries: readonly (readonly [string, TsValue])[] };

export interface IrField {
  readonly name: string;
  readonly type: IrType;
  readonly doc?: string;
  /** May be absent (a JSON Schema property that is not required). */
  readonly optional: boolean;
  readonly aliases: readonly string[];
  readonly pointer: string;
  /** Avro default as written in the schema (JSON form); converted by the defaults pass. */
  readonly avroDefault?: { readonly json: unknown };
  defaultValue?: TsValue;
}

export type ModelFormat = 'avro' | 'jsonschema';

interface ModelBase {
  readonly fullName: string;
  readonly className: string;
  readonly aliases: readonly string[];
  readonly doc?: string;
  readonly format: ModelFormat;
  readonly source: SourceDoc;
  readonly pointer: string;
}

export interface RecordModelIr extends ModelBase {
  readonly kind: 'record';
  readonly fields: IrField[];
  readonly extra: 'allow' | 'reject' | IrType;
  readonly metadata: boolean;
}

export interface EnumModelIr extends ModelBase {
  readonly kind: 'enum';
  readonly symbols: readonly string[];
  readonly avroDefault?: string;
}

export interface FixedModelIr extends ModelBase {
  readonly kind: 'fixed';
  readonly size: number;
  readonly logical?: { readonly logical: LogicalName; readonly precision?: number; readonly scale?: number };
}

/** A named non-record type: a JSON Schema union (`kind: 'union'`) or any other named schema. */
export interface AliasModelIr extends ModelBase {
  readonly kind: 'union' | 'alias';
  readonly type: IrType;
}

export type ModelIr = RecordModelIr | EnumModelIr | FixedModelIr | AliasModelIr;

export type ModelRegistry = ReadonlyMap<string, ModelIr>;
