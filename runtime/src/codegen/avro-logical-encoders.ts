/**
 * Encoders of Avro logical values from their model forms (ISO strings, decimal strings, duration
 * objects): each checks what `logicalProblem` checks and writes what avsc's logical types write.
 * The compiled record encoders (avro-encoder.ts) call them.
 */
import { deref } from './descriptors.js';
import type { LogicalDesc } from './descriptors.js';
import { isObjectLike } from './issues.js';
import { bigIntToBytes, isUint32, isUuid, parseDecimal, parseInstant, parseIsoDate, parseIsoTime } from './logical.js';
import { instantDigits } from './rules.js';
import type { AvroWriter } from './avro-wire.js';
import { parseDecimalFast, parseMillisFast, twosComplementLength } from './fast-logical.js';

/** Writes a valid value and returns true, or returns false (having written anything) for an invalid one. */
export type AvroEncoder = (w: AvroWriter, value: unknown) => boolean;

export function logicalEncoder(desc: LogicalDesc): AvroEncoder {
  const base = deref(desc.base);
  const fixedSize = base.k === 'fixed' ? base.size : undefined;
  switch (desc.logical) {
    case 'uuid':
      // A uuid fixed holds exactly 16 bytes; any other size is left to the general path.
      if (fixedSize !== undefined && fixedSize !== 16) return () => false;
      return (w, v) => {
        if (typeof v !== 'string' || !isUuid(v)) return false;
        if (fixedSize === undefined) w.writeString(v);
        else w.writeFixed(Buffer.from(v.replace(/-/g, ''), 'hex'));
        return true;
      };
    case 'date':
      return (w, v) => {
        const days = typeof v === 'string' ? parseIsoDate(v) : undefined;
        if (days === undefined) return false;
        w.writeLong(days);
        return true;
      };
    case 'time-millis':
    case 'time-micros': {
      const micros = desc.logical === 'time-micros';
      return (w, v) => {
        const units = typeof v === 'string' ? parseIsoTime(v, micros) : undefined;
        if (units === undefined) return false;
        w.writeLong(units);
        return true;
      };
    }
    case 'decimal':
      return decimalEncoder(desc.precision ?? 1, desc.scale ?? 0, fixedSize);
    case 'duration':
      return (w, v) => {
        if (!isObjectLike(v) || !isUint32(v['months']) || !isUint32(v['days']) || !isUint32(v['millis'])) return false;
        w.ensure(12);
        w.buf.writeUInt32LE(v['months'], w.pos);
        w.buf.writeUInt32LE(v['days'], w.pos + 4);
        w.buf.writeUInt32LE(v['millis'], w.pos + 8);
        w.pos += 12;
        return true;
      };
    default: {
      const digits = instantDigits(desc.logical);
      const local = desc.logical.startsWith('local');
      return (w, v) => {
        if (typeof v !== 'string') return false;
        const fast = digits === 3 ? parseMillisFast(v, local) : undefined;
        if (fast !== undefined) {
          w.writeLong(fast);
          return true;
        }
        const units = parseInstant(v, digits, local);
        if (typeof units !== 'bigint') return false;
        w.writeBigLong(units);
        return true;
      };
    }
  }
}

function decimalEncoder(precision: number, scale: number, fixedSize: number | undefined): AvroEncoder {
  return (w, v) => {
    if (typeof v !== 'string') return false;
    const fast = parseDecimalFast(v, precision, scale);
    const length = fast === undefined ? undefined : twosComplementLength(fast);
    if (fast !== undefined && length !== undefined) {
      const size = fixedSize ?? length;
      if (length > size) return false;
      if (fixedSize === undefined) w.writeLong(size);
      w.ensure(size);
      // Big-endian two's complement, sign-extended over a fixed's extra bytes (a fast value has at most 6).
      const buf = w.buf;
      const end = w.pos + size;
      let rest = fast < 0 ? fast + 2 ** 48 : fast;
      for (let i = end - 1, k = 0; i >= w.pos; i--, k++) {
        if (k < 6) {
          buf[i] = rest % 256;
          rest = Math.floor(rest / 256);
        } else {
          buf[i] = fast < 0 ? 0xff : 0;
        }
      }
      w.pos = end;
      return true;
    }
    const unscaled = parseDecimal(v, precision, scale);
    if (typeof unscaled === 'string') return false;
    let bytes: Buffer;
    try {
      bytes = bigIntToBytes(unscaled, fixedSize);
    } catch {
      return false;
    }
    if (fixedSize === undefined) w.writeBytes(bytes);
    else w.writeFixed(bytes);
    return true;
  };
}
