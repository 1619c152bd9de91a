/**
 * Type descriptors: the data generated model modules hand to the SPI so that validation, JSON and
 * Avro conversion live here once instead of in every generated file. A descriptor describes the
 * in-memory (model) form of a value; see docs/type-mapping.md for the mapping from schemas.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Avro `bytes` and `fixed` values. An alias so that a model named `Buffer` cannot shadow it. */
export type Bytes = Buffer;
/** A JSON-like map; an alias so that a model named `Record` cannot shadow the global utility type. */
export type MapOf<T> = { readonly [key: string]: T };

/** Calendar date `YYYY-MM-DD` (Avro `date`, JSON Schema `format: date`). */
export type IsoDate = string;
/** RFC 3339 instant, e.g. `2024-01-02T03:04:05.123Z` (Avro `timestamp-*`, JSON Schema `format: date-time`). */
export type IsoTimestamp = string;
/** Wall-clock date-time without offset, e.g. `2024-01-02T03:04:05.123` (Avro `local-timestamp-*`). */
export type IsoLocalTimestamp = string;
/** Time of day `HH:MM:SS.sss` or `HH:MM:SS.ssssss` (Avro `time-millis` / `time-micros`). */
export type IsoTime = string;
/** Exact decimal in plain notation, e.g. `-12.30` (Avro `decimal`); never a binary float. */
export type DecimalString = string;
/** RFC 4122 text form, e.g. `123e4567-e89b-12d3-a456-426614174000`. */
export type Uuid = string;
/** Avro `duration`: three unsigned 32-bit counts. */
export interface AvroDuration {
  readonly months: number;
  readonly days: number;
  readonly millis: number;
}

/**
 * A value of an Avro union branch that shares its TypeScript type with another branch of the same
 * union, tagged with the branch's Avro name (its full name for named types, else the type name, as
 * in Avro's JSON encoding): `{ branch: 'long', value: '2024-01-02T03:04:05.123Z' }`.
 */
export interface Branch<B extends string, T> {
  readonly branch: B;
  readonly value: T;
}

export interface NumberRules {
  readonly integer?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly multipleOf?: number;
}

export type StringFormat = 'date' | 'date-time' | 'uuid';

export interface StringRules {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** ECMAScript regular expression source, compiled with the `u` flag. */
  readonly pattern?: string;
  readonly format?: StringFormat;
}

export type LogicalName =
  | 'date'
  | 'time-millis'
  | 'time-micros'
  | 'timestamp-millis'
  | 'timestamp-micros'
  | 'local-timestamp-millis'
  | 'local-timestamp-micros'
  | 'timestamp-nanos'
  | 'local-timestamp-nanos'
  | 'decimal'
  | 'uuid'
  | 'duration';

/** `never` is JSON Schema's `false` (and an empty `enum`): no value fits. */
export type PrimitiveDesc = {
  readonly k: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'unknown' | 'never';
};
export interface NumberDesc {
  readonly k: 'number';
  readonly rules: NumberRules;
}
export interface StringDesc {
  readonly k: 'string';
  readonly rules?: StringRules;
}
export interface LiteralDesc {
  readonly k: 'literal';
  /** The allowed values (JSON Schema `const`/`enum`), compared by JSON equality. */
  readonly values: readonly JsonValue[];
}
export interface ArrayDesc {
  readonly k: 'array';
  readonly items: TypeDesc;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface TupleDesc {
  readonly k: 'tuple';
  readonly prefix: readonly TypeDesc[];
  /** Schema of items after the prefix; null when no more items are allowed. */
  readonly rest: TypeDesc | null;
  /** How many leading items must be present. */
  readonly required: number;
  readonly maxItems?: number;
}
export interface MapDesc {
  readonly k: 'map';
  readonly values: TypeDesc;
}
export interface DiscriminatorDesc {
  readonly property: string;
  /** The discriminator value of each branch, aligned with `branches`; null for a `null` branch. */
  readonly values: readonly (string | null)[];
}
export interface UnionDesc {
  readonly k: 'union';
  readonly branches: readonly TypeDesc[];
  /** avro: first matching branch; oneOf: exactly one branch; anyOf: first matching branch. */
  readonly mode: 'avro' | 'oneOf' | 'anyOf';
  readonly discriminator?: DiscriminatorDesc;
  /**
   * Avro only: indexes of the branches whose model values are tagged {@link Branch} objects, because
   * another branch has the same model type (`["string", {"type": "long", "logicalType": ...}]`).
   */
  readonly tagged?: readonly number[];
}
export interface LogicalDesc {
  readonly k: 'logical';
  readonly logical: LogicalName;
  readonly precision?: number;
  readonly scale?: number;
  /** The underlying Avro type (a primitive or a fixed). */
  readonly base: TypeDesc;
}
export interface EnumDesc {
  readonly k: 'enum';
  readonly name: string;
  readonly symbols: readonly string[];
}
export interface FixedDesc {
  readonly k: 'fixed';
  readonly name: string;
  readonly size: number;
}
/** A reference to a named descriptor, resolved lazily so that modules may import each other. */
export interface RefDesc {
  readonly k: 'ref';
  readonly get: () => TypeDesc;
}

export interface FieldDesc {
  readonly name: string;
  readonly type: TypeDesc;
  /** May be absent from the model (JSON Schema property that is not required). */
  readonly optional?: boolean;
  /** Has a default that the record constructor fills in when the field is absent. */
  readonly hasDefault?: boolean;
  /** Other names accepted on JSON decode (Avro field aliases). */
  readonly aliases?: readonly string[];
}

export interface RecordDesc<T = unknown> {
  readonly k: 'record';
  readonly name: string;
  readonly aliases: readonly string[];
  readonly fields: readonly FieldDesc[];
  /** What to do with JSON keys that are not fields: keep ignoring them, reject them, or validate them. */
  readonly extra: 'allow' | 'reject' | TypeDesc;
  /** Whether JSON encoding adds Faust's `"__faust": {"ns": name}` key. */
  readonly metadata: boolean;
  create(fields: Readonly<Record<string, unknown>>): T;
  /**
   * The class `create` instantiates, for the compiled decoders to construct it at a call site of their own
   * (`create` is one site for every model); absent on descriptors not made by defineRecord.
   */
  readonly recordClass?: () => new (fields: Readonly<Record<string, unknown>>) => T;
  isInstance(value: unknown): value is T;
}

export type TypeDesc =
  | PrimitiveDesc
  | NumberDesc
  | StringDesc
  | LiteralDesc
  | ArrayDesc
  | TupleDesc
  | MapDesc
  | UnionDesc
  | LogicalDesc
  | EnumDesc
  | FixedDesc
  | RefDesc
  | RecordDesc;

/** Follows `ref` descriptors to the named descriptor they point at. */
export function deref(desc: TypeDesc): Exclude<TypeDesc, RefDesc> {
  let current: TypeDesc = desc;
  // A ref to a ref is legal (aliases of aliases); a ref cycle without structure is rejected by the generator.
  for (let hops = 0; current.k === 'ref'; hops++) {
    if (hops > 64) throw new Error('descriptor reference chain too long');
    current = current.get();
  }
  return current;
}
