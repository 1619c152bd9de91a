/**
 * avsc logical types whose in-memory values are exactly faustgen's model forms (see
 * docs/type-mapping.md), so that avsc's encoder, decoder and `random()` all speak the model form.
 * `_fromValue` accepts an already converted value too: avsc feeds it one when resolving a writer
 * schema that has the same logical type.
 */
import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import {
  bigIntToBytes,
  bytesToBigInt,
  bytesToDuration,
  durationToBytes,
  formatDecimal,
  formatIsoDate,
  formatIsoInstant,
  formatIsoTime,
  isUint32,
  isUuid,
  parseDecimal,
  parseIsoDate,
  parseIsoInstant,
  parseIsoTime,
} from './logical.js';

type AvroSchema = avro.Schema;

function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`expected a ${what} string`);
  return value;
}

abstract class ModelLogicalType extends avro.types.LogicalType {
  protected override _resolve(type: avro.Type): unknown {
    if (type.typeName === this.typeName || type.typeName === this.underlyingType.typeName) {
      return (value: unknown): unknown => this._fromValue(value);
    }
    return undefined;
  }
}

class DateType extends ModelLogicalType {
  protected override _fromValue(value: unknown): string {
    return typeof value === 'string' ? value : formatIsoDate(value as number);
  }
  protected override _toValue(value: unknown): number | undefined {
    return typeof value === 'string' ? parseIsoDate(value) : undefined;
  }
}

function timeType(micros: boolean): typeof avro.types.LogicalType {
  return class TimeType extends ModelLogicalType {
    protected override _fromValue(value: unknown): string {
      return typeof value === 'string' ? value : formatIsoTime(value as number, micros);
    }
    protected override _toValue(value: unknown): number | undefined {
      return typeof value === 'string' ? parseIsoTime(value, micros) : undefined;
    }
  };
}

function instantType(micros: boolean, local: boolean): typeof avro.types.LogicalType {
  return class InstantType extends ModelLogicalType {
    protected override _fromValue(value: unknown): string {
      return typeof value === 'string' ? value : formatIsoInstant(value as number, { micros, local });
    }
    protected override _toValue(value: unknown): number | undefined {
      return typeof value === 'string' ? parseIsoInstant(value, { micros, local }) : undefined;
    }
  };
}

class DecimalType extends ModelLogicalType {
  private readonly precision: number;
  private readonly scale: number;
  private readonly size: number | undefined;

  constructor(schema: AvroSchema, opts?: unknown) {
    super(schema, opts);
    const attrs = schema as { precision?: unknown; scale?: unknown; size?: unknown };
    this.precision = Number(attrs.precision);
    this.scale = attrs.scale === undefined ? 0 : Number(attrs.scale);
    this.size = typeof attrs.size === 'number' ? attrs.size : undefined;
    if (!Number.isInteger(this.precision) || this.precision < 1 || !Number.isInteger(this.scale) || this.scale < 0 || this.scale > this.precision) {
      throw new RangeError(`invalid decimal precision ${String(attrs.precision)} / scale ${String(attrs.scale)}`);
    }
  }
  protected override _fromValue(value: unknown): string {
    if (typeof value === 'string') return value;
    const text = formatDecimal(bytesToBigInt(value as Buffer), this.scale);
    const parsed = parseDecimal(text, this.precision, this.scale);
    if (typeof parsed === 'string') throw new RangeError(`decimal ${text} ${parsed}`);
    return text;
  }
  protected override _toValue(value: unknown): Buffer | undefined {
    if (typeof value !== 'string') return undefined;
    const unscaled = parseDecimal(value, this.precision, this.scale);
    return typeof unscaled === 'string' ? undefined : bigIntToBytes(unscaled, this.size);
  }
  // avsc's typings declare random() as returning the type; it returns a value. Hence the casts below.
  override random(): DecimalType {
    // The base random() would produce bytes outside the declared precision.
    const digits = 1 + Math.floor(Math.random() * this.precision);
    let unscaled = '';
    for (let i = 0; i < digits; i++) unscaled += String(Math.floor(Math.random() * 10));
    const sign = Math.random() < 0.5 ? -1n : 1n;
    return formatDecimal(sign * BigInt(unscaled), this.scale) as unknown as DecimalType;
  }
}

class UuidType extends ModelLogicalType {
  protected override _fromValue(value: unknown): string {
    const text = requireString(value, 'uuid');
    if (!isUuid(text)) throw new RangeError(`invalid uuid ${JSON.stringify(text.slice(0, 40))}`);
    return text;
  }
  protected override _toValue(value: unknown): string | undefined {
    return typeof value === 'string' && isUuid(value) ? value : undefined;
  }
  override random(): UuidType {
    return randomUUID() as unknown as UuidType;
  }
}

class DurationType extends ModelLogicalType {
  protected override _fromValue(value: unknown): unknown {
    return Buffer.isBuffer(value) ? bytesToDuration(value) : value;
  }
  protected override _toValue(value: unknown): Buffer | undefined {
    const v = value as { months?: unknown; days?: unknown; millis?: unknown } | null;
    if (typeof v !== 'object' || v === null || !isUint32(v.months) || !isUint32(v.days) || !isUint32(v.millis)) return undefined;
    return durationToBytes({ months: v.months, days: v.days, millis: v.millis });
  }
}

/** The `logicalTypes` option for `avro.Type.forSchema`. */
export const modelLogicalTypes: Readonly<Record<string, new (schema: AvroSchema, opts?: unknown) => avro.types.LogicalType>> = {
  date: DateType,
  'time-millis': timeType(false),
  'time-micros': timeType(true),
  'timestamp-millis': instantType(false, false),
  'timestamp-micros': instantType(true, false),
  'local-timestamp-millis': instantType(false, true),
  'local-timestamp-micros': instantType(true, true),
  decimal: DecimalType,
  uuid: UuidType,
  duration: DurationType,
};

/** Builds the avsc type generated codecs use: model-form logical types and always-wrapped unions. */
export function buildAvroType(schema: unknown): avro.Type {
  return avro.Type.forSchema(schema as AvroSchema, {
    logicalTypes: modelLogicalTypes,
    wrapUnions: true,
    // The generator already rejected bad logical type parameters; a failure here is a bug, not a fallback.
    assertLogicalTypes: true,
    registry: {},
  });
}
