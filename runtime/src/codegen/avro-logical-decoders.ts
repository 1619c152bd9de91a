/**
 * Decoders of Avro logical values into their model forms (ISO strings, decimal strings, duration
 * objects), reading what avsc's logical types read; they throw NotReadable where avsc would fail
 * or where avsc's 64-bit path is needed. The compiled record decoders (avro-decoder.ts) call them.
 */
import { deref } from './descriptors.js';
import type { LogicalDesc } from './descriptors.js';
import { bytesToBigInt, bytesToDuration, formatDecimal, formatInstant, formatIsoDate, formatIsoTime, isUuid, parseDecimal } from './logical.js';
import { instantDigits } from './rules.js';
import { NotReadable } from './avro-wire.js';
import type { AvroReader } from './avro-wire.js';
import { formatDecimalFast, formatMillisFast } from './fast-logical.js';

export type AvroDecoder = (r: AvroReader) => unknown;

export function unreadable(why: string): never {
  throw new NotReadable(why);
}

export function logicalDecoder(desc: LogicalDesc): AvroDecoder {
  const base = deref(desc.base);
  const fixedSize = base.k === 'fixed' ? base.size : undefined;
  switch (desc.logical) {
    case 'uuid':
      if (fixedSize !== undefined) {
        return (r) => {
          if (fixedSize !== 16) unreadable('uuid size');
          const hex = r.readFixed(16).toString('hex');
          return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        };
      }
      return (r) => {
        const text = r.readString();
        return isUuid(text) ? text : unreadable('uuid');
      };
    case 'date':
      return (r) => formatIsoDate(r.readLong());
    case 'time-millis':
      return (r) => formatIsoTime(r.readLong(), false);
    case 'time-micros':
      return (r) => formatIsoTime(r.readSafeLong(), true);
    case 'decimal':
      return decimalDecoder(desc.precision ?? 1, desc.scale ?? 0, fixedSize);
    case 'duration':
      return (r) => bytesToDuration(r.readFixed(12));
    default: {
      const digits = instantDigits(desc.logical);
      const local = desc.logical.startsWith('local');
      return (r) => {
        // Longs beyond 2^53 need the 64-bit path of avsc's reader.
        const units = r.readSafeLong();
        return (digits === 3 ? formatMillisFast(units, local) : undefined) ?? formatInstant(BigInt(units), digits, local);
      };
    }
  }
}

function decimalDecoder(precision: number, scale: number, fixedSize: number | undefined): AvroDecoder {
  // More digits than the precision: |unscaled| >= 10^precision (exact for the 6-byte values below 2^47).
  const tooLarge = 10 ** precision;
  return (r) => {
    const size = fixedSize ?? r.readLong();
    if (size < 0) unreadable('negative length');
    if (size === 0) return formatDecimalFast(0, scale);
    if (size <= 6) {
      const at = r.pos;
      if (at + size > r.buf.length) unreadable('truncated');
      const unscaled = r.buf.readIntBE(at, size);
      r.pos = at + size;
      if (Math.abs(unscaled) >= tooLarge) unreadable('precision');
      return formatDecimalFast(unscaled, scale);
    }
    const text = formatDecimal(bytesToBigInt(r.readFixed(size)), scale);
    return typeof parseDecimal(text, precision, scale) === 'string' ? unreadable('precision') : text;
  };
}
