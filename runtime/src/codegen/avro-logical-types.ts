/**
 * avsc logical types whose in-memory values are exactly faustgen's model forms (see
 * docs/type-mapping.md), so that avsc's encoder, decoder and `random()` all speak the model form.
 * `_fromValue` accepts an already converted value too: avsc feeds it one when resolving a writer
 * schema that has the same logical type.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import avro from 'avsc';
import {
  bigIntToBytes,
  bytesToBigInt,
  bytesToDuration,
  durationToBytes,
  formatDecimal,
  formatIsoDate,
  formatInstant,
  formatIsoTime,
  isUint32,
  isUuid,
  parseDecimal,
  parseIsoDate,
  parseInstant,
  parseIsoTime,
} from './logical.js';
import type { InstantDigits } from './logical.js';

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

/** The narrow part of avsc's Tap that 64-bit values need (avsc hands longs over as 8 little-endian bytes). */
interface LongTap {
  unpackLongBytes(): Buffer;
  packLongBytes(bytes: Buffer): void;
  skipLong(): void;
}

/**
 * Timestamps over the whole signed 64-bit range: they read and write the long themselves as a
 * bigint, since avsc's own long stops at 2^53 (a nanosecond timestamp passes that in April 1970).
 */
function instantType(digits: InstantDigits, local: boolean): typeof avro.types.LogicalType {
  return class InstantType extends ModelLogicalType {
    private parse(value: unknown): bigint | undefined {
      if (typeof value !== 'string') return undefined;
      const units = parseInstant(value, digits, local);
      return typeof units === 'bigint' ? units : undefined;
    }
    protected _read(tap: LongTap): string {
      return formatInstant(tap.unpackLongBytes().readBigInt64LE(0), digits, local);
    }
    protected _write(tap: LongTap, value: unknown): void {
      const units = this.parse(value);
      if (units === undefined) throw new TypeError(`invalid ${this.typeName}: ${JSON.stringify(value)}`);
      const bytes = Buffer.alloc(8);
      bytes.writeBigInt64LE(units);
      tap.packLongBytes(bytes);
    }
    protected _skip(tap: LongTap): void {
      tap.skipLong();
    }
    protected _check(value: unknown, _flags: unknown, hook?: (value: unknown, type: avro.Type) => void): boolean {
      const ok = this.parse(value) !== undefined;
      if (!ok && hook !== undefined) hook(value, this);
      return ok;
    }
    override compare(a: unknown, b: unknown): number {
      const [x, y] = [this.parse(a) ?? 0n, this.parse(b) ?? 0n];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    // A writer schema with a plain long (or a number from avsc's resolver) becomes the model string.
    protected override _fromValue(value: unknown): string {
      if (typeof value === 'string') return value;
      return formatInstant(BigInt(value as number | bigint), digits, local);
    }
    protected override _toValue(value: unknown): number | undefined {
      const units = this.parse(value);
      return units !== undefined && units >= BigInt(Number.MIN_SAFE_INTEGER) && units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : undefined;
    }
    override random(): InstantType {
      // Mostly around now, sometimes anywhere in the 64-bit range.
      const bytes = randomBytes(8);
      const wide = bytes.readBigInt64LE(0);
      const units = Math.random() < 0.5 ? wide : BigInt(Date.now()) * 10n ** BigInt(digits - 3) + (wide % 10n ** 12n);
      return formatInstant(units, digits, local) as unknown as InstantType;
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
  private readonly fixed: boolean;

  constructor(schema: AvroSchema, opts?: unknown) {
    super(schema, opts);
    // Avro 1.12: uuid annotates a string (RFC 4122 text) or a fixed of 16 bytes (big-endian).
    this.fixed = (schema as { type?: unknown }).type === 'fixed';
  }
  protected override _fromValue(value: unknown): string {
    if (Buffer.isBuffer(value)) return uuidFromBytes(value);
    const text = requireString(value, 'uuid');
    if (!isUuid(text)) throw new RangeError(`invalid uuid ${JSON.stringify(text.slice(0, 40))}`);
    return text;
  }
  protected override _toValue(value: unknown): string | Buffer | undefined {
    if (typeof value !== 'string' || !isUuid(value)) return undefined;
    return this.fixed ? Buffer.from(value.replace(/-/g, ''), 'hex') : value;
  }
  override random(): UuidType {
    return randomUUID() as unknown as UuidType;
  }
}

function uuidFromBytes(bytes: Buffer): string {
  if (bytes.length !== 16) throw new RangeError(`uuid needs 16 bytes, got ${bytes.length}`);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
  'timestamp-millis': instantType(3, false),
  'timestamp-micros': instantType(6, false),
  'timestamp-nanos': instantType(9, false),
  'local-timestamp-millis': instantType(3, true),
  'local-timestamp-micros': instantType(6, true),
  'local-timestamp-nanos': instantType(9, true),
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
