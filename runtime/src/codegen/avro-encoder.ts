/**
 * Avro binary encoders compiled once per descriptor: each node of the model's descriptor becomes a
 * closure that checks its value and writes it, so an encode is one pass over the value with no
 * intermediate avsc-shaped copy and no descriptor interpretation. An encoder returns false as soon
 * as a value is not one it can vouch for (invalid, or a case it leaves to the general path, such
 * as tagged union branches); the codec then runs the general path, validation first, which reports
 * the issues exactly as before or writes the value. Where an encoder returns true, it has checked
 * everything `checkValue` checks and written the bytes avsc writes.
 */
import { deref } from './descriptors.js';
import type { LogicalDesc, RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { isSafeLong } from './check.js';
import { isObjectLike } from './issues.js';
import { bigIntToBytes, isUint32, isUuid, parseDecimal, parseInstant, parseIsoDate, parseIsoTime } from './logical.js';
import { instantDigits } from './rules.js';
import { shapeOfValue, shapesOf } from './shapes.js';
import type { Shape } from './shapes.js';
import type { AvroWriter } from './avro-wire.js';
import { parseDecimalFast, parseMillisFast, twosComplementLength } from './fast-logical.js';

export type AvroEncoder = (w: AvroWriter, value: unknown) => boolean;

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

const giveUp: AvroEncoder = () => false;

/** Compiled encoders by record descriptor: shared, and the way recursive records refer to themselves. */
const recordEncoders = new WeakMap<RecordDesc, AvroEncoder>();

export function compileAvroEncoder(desc: TypeDesc): AvroEncoder {
  if (desc.k === 'ref') {
    // Resolved on first use: the module that defines the target may still be loading.
    let target: AvroEncoder | undefined;
    return (w, v) => (target ??= compileAvroEncoder(deref(desc)))(w, v);
  }
  switch (desc.k) {
    case 'null':
      return (_w, v) => v === null;
    case 'boolean':
      return (w, v) => {
        if (typeof v !== 'boolean') return false;
        w.writeByte(v ? 1 : 0);
        return true;
      };
    case 'int':
      return (w, v) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < INT_MIN || v > INT_MAX) return false;
        w.writeLong(v);
        return true;
      };
    case 'long':
      return (w, v) => {
        if (!isSafeLong(v)) return false;
        w.writeLong(v);
        return true;
      };
    case 'float':
      return (w, v) => {
        if (typeof v !== 'number') return false;
        w.writeFloat(v);
        return true;
      };
    case 'double':
      return (w, v) => {
        if (typeof v !== 'number') return false;
        w.writeDouble(v);
        return true;
      };
    case 'string':
      if (desc.rules !== undefined) return giveUp;
      return (w, v) => {
        if (typeof v !== 'string') return false;
        w.writeString(v);
        return true;
      };
    case 'bytes':
      return (w, v) => {
        if (!Buffer.isBuffer(v)) return false;
        w.writeBytes(v);
        return true;
      };
    case 'fixed': {
      const size = desc.size;
      return (w, v) => {
        if (!Buffer.isBuffer(v) || v.length !== size) return false;
        w.writeFixed(v);
        return true;
      };
    }
    case 'enum': {
      const indexes = new Map(desc.symbols.map((symbol, i) => [symbol, i] as const));
      return (w, v) => {
        const index = typeof v === 'string' ? indexes.get(v) : undefined;
        if (index === undefined) return false;
        w.writeLong(index);
        return true;
      };
    }
    case 'array': {
      if (desc.minItems !== undefined || desc.maxItems !== undefined) return giveUp;
      const items = compileAvroEncoder(desc.items);
      return (w, v) => {
        if (!Array.isArray(v)) return false;
        const n = v.length;
        if (n > 0) {
          w.writeLong(n);
          for (let i = 0; i < n; i++) if (!items(w, v[i])) return false;
        }
        w.writeByte(0);
        return true;
      };
    }
    case 'map': {
      const values = compileAvroEncoder(desc.values);
      return (w, v) => {
        if (!isObjectLike(v)) return false;
        const keys = Object.keys(v);
        const n = keys.length;
        if (n > 0) {
          w.writeLong(n);
          for (let i = 0; i < n; i++) {
            const key = keys[i] as string;
            // avsc cannot carry this key (the general path says so).
            if (key === '__proto__') return false;
            w.writeString(key);
            if (!values(w, v[key])) return false;
          }
        }
        w.writeByte(0);
        return true;
      };
    }
    case 'union':
      return unionEncoder(desc);
    case 'logical':
      return logicalEncoder(desc);
    case 'record':
      return recordEncoder(desc);
    default:
      return giveUp;
  }
}

function recordEncoder(desc: RecordDesc): AvroEncoder {
  const known = recordEncoders.get(desc);
  if (known !== undefined) return known;
  // Optional fields and checked extra keys are JSON Schema features: the general path handles them.
  if (desc.extra !== 'allow' || desc.fields.some((f) => f.optional === true)) return giveUp;
  let fields: { readonly name: string; readonly encode: AvroEncoder }[] = [];
  const encoder: AvroEncoder = (w, v) => {
    if (!isObjectLike(v)) return false;
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as (typeof fields)[number];
      const value = v[field.name];
      // An inherited or missing field is a validation issue: leave it to the general path.
      if (value === undefined || !Object.hasOwn(v, field.name)) return false;
      if (!field.encode(w, value)) return false;
    }
    return true;
  };
  recordEncoders.set(desc, encoder);
  fields = desc.fields.map((f) => ({ name: f.name, encode: compileAvroEncoder(f.type) }));
  return encoder;
}

/**
 * The branch the general path picks (selectBranch): an instance of a generated class picks its own
 * record branch; otherwise the value's shape must point at exactly one branch (several candidates,
 * e.g. two records or an int and a long, go the general way, which tries them in order).
 */
function unionEncoder(desc: UnionDesc): AvroEncoder {
  if (desc.tagged !== undefined || desc.discriminator !== undefined || desc.mode !== 'avro') return giveUp;
  const branches = desc.branches.map((b) => compileAvroEncoder(b));
  const records = desc.branches.flatMap((b, index) => {
    const target = deref(b);
    return target.k === 'record' ? [{ index, target }] : [];
  });
  const byShape = new Map<Shape, number>();
  const ambiguous = new Set<Shape>();
  desc.branches.forEach((b, index) => {
    for (const shape of shapesOf(b, false)) {
      if (byShape.has(shape)) ambiguous.add(shape);
      else byShape.set(shape, index);
    }
  });
  for (const shape of ambiguous) byShape.delete(shape);
  return (w, v) => {
    let index: number | undefined;
    for (const record of records) {
      if (record.target.isInstance(v)) {
        index = record.index;
        break;
      }
    }
    if (index === undefined) {
      const shape = shapeOfValue(v, false);
      index = shape === undefined ? undefined : byShape.get(shape);
    }
    const encode = index === undefined ? undefined : branches[index];
    if (index === undefined || encode === undefined) return false;
    w.writeLong(index);
    return encode(w, v);
  };
}

function logicalEncoder(desc: LogicalDesc): AvroEncoder {
  const base = deref(desc.base);
  const fixedSize = base.k === 'fixed' ? base.size : undefined;
  switch (desc.logical) {
    case 'uuid':
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
      // Sign-extend into the bytes before the (at most 6) significant ones.
      const pad = size - Math.min(size, 6);
      w.buf.fill(fast < 0 ? 0xff : 0, w.pos, w.pos + pad);
      w.buf.writeIntBE(fast, w.pos + pad, size - pad);
      w.pos += size;
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
