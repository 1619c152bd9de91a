/**
 * Avro binary decoders compiled once per descriptor, producing the model form directly (generated
 * classes, ISO strings, decimal strings, tagged branches) in one pass. A decoder throws on anything
 * it does not read exactly as avsc + fromAvroValue would; the codec then decodes through avsc,
 * which returns the same value or reports the problem as it always has.
 */
import { deref } from './descriptors.js';
import type { LogicalDesc, RecordDesc, TypeDesc, UnionDesc } from './descriptors.js';
import { setOwn } from './json.js';
import { bytesToBigInt, bytesToDuration, formatDecimal, formatInstant, formatIsoDate, formatIsoTime, isUuid, parseDecimal } from './logical.js';
import { instantDigits } from './rules.js';
import { toBranchValue } from './union-tags.js';
import { NotReadable } from './avro-wire.js';
import type { AvroReader } from './avro-wire.js';
import { formatDecimalFast, formatMillisFast } from './fast-logical.js';

export type AvroDecoder = (r: AvroReader) => unknown;

const recordDecoders = new WeakMap<RecordDesc, AvroDecoder>();

function unreadable(why: string): never {
  throw new NotReadable(why);
}

export function compileAvroDecoder(desc: TypeDesc): AvroDecoder {
  if (desc.k === 'ref') {
    let target: AvroDecoder | undefined;
    return (r) => (target ??= compileAvroDecoder(deref(desc)))(r);
  }
  switch (desc.k) {
    case 'null':
      return () => null;
    case 'boolean':
      return (r) => r.readByte() !== 0;
    case 'int':
      return (r) => r.readLong();
    case 'long':
      return (r) => r.readSafeLong();
    case 'float':
      return (r) => r.readFloat();
    case 'double':
      return (r) => r.readDouble();
    case 'string':
      return (r) => r.readString();
    case 'bytes':
      return (r) => r.readBytes();
    case 'fixed': {
      const size = desc.size;
      return (r) => r.readFixed(size);
    }
    case 'enum': {
      const symbols = desc.symbols;
      return (r) => symbols[r.readLong()] ?? unreadable('enum index');
    }
    case 'array': {
      const items = compileAvroDecoder(desc.items);
      return (r) => {
        const out: unknown[] = [];
        for (let n = r.readLong(); n !== 0; n = r.readLong()) {
          if (n < 0) {
            n = -n;
            r.readLong(); // the block's size in bytes
          }
          // Every item takes at least a byte, except null-like ones: avsc decides about those.
          if (n > r.remaining()) unreadable('block count');
          for (let i = 0; i < n; i++) out.push(items(r));
        }
        return out;
      };
    }
    case 'map': {
      const values = compileAvroDecoder(desc.values);
      return (r) => {
        const out: Record<string, unknown> = {};
        for (let n = r.readLong(); n !== 0; n = r.readLong()) {
          if (n < 0) {
            n = -n;
            r.readLong();
          }
          if (n > r.remaining()) unreadable('block count');
          for (let i = 0; i < n; i++) {
            const key = r.readString();
            if (key === '__proto__') unreadable('map key __proto__');
            out[key] = values(r);
          }
        }
        return out;
      };
    }
    case 'union':
      return unionDecoder(desc);
    case 'logical':
      return logicalDecoder(desc);
    case 'record':
      return recordDecoder(desc);
    default:
      return () => unreadable(`no Avro form for ${desc.k}`);
  }
}

function recordDecoder(desc: RecordDesc): AvroDecoder {
  const known = recordDecoders.get(desc);
  if (known !== undefined) return known;
  let fields: { readonly name: string; readonly decode: AvroDecoder }[] = [];
  // A field may be called `__proto__` in Avro; plain assignment would set the prototype instead.
  const special = desc.fields.some((f) => f.name === '__proto__');
  const decoder: AvroDecoder = (r) => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i] as (typeof fields)[number];
      if (special) setOwn(values, field.name, field.decode(r));
      else values[field.name] = field.decode(r);
    }
    return desc.create(values);
  };
  recordDecoders.set(desc, decoder);
  fields = desc.fields.map((f) => ({ name: f.name, decode: compileAvroDecoder(f.type) }));
  return decoder;
}

function unionDecoder(desc: UnionDesc): AvroDecoder {
  const branches = desc.branches.map((b) => compileAvroDecoder(b));
  const tagged = desc.tagged !== undefined;
  return (r) => {
    const index = r.readLong();
    const decode = branches[index] ?? unreadable('union index');
    const value = decode(r);
    return tagged ? toBranchValue(desc, index, value) : value;
  };
}

function logicalDecoder(desc: LogicalDesc): AvroDecoder {
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
  return (r) => {
    const size = fixedSize ?? r.readLong();
    if (size < 0) unreadable('negative length');
    if (size === 0) return formatDecimalFast(0, scale);
    if (size <= 6) {
      const at = r.pos;
      if (at + size > r.buf.length) unreadable('truncated');
      const unscaled = r.buf.readIntBE(at, size);
      r.pos = at + size;
      if (String(Math.abs(unscaled)).length > precision) unreadable('precision');
      return formatDecimalFast(unscaled, scale);
    }
    const text = formatDecimal(bytesToBigInt(r.readFixed(size)), scale);
    return typeof parseDecimal(text, precision, scale) === 'string' ? unreadable('precision') : text;
  };
}
