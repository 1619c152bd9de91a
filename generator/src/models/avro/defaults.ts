/**
 * Checks Avro field defaults against their types and converts them to model-form values that the
 * generated constructors use. Defaults are written in Avro's JSON encoding: bytes and fixed as
 * ISO-8859-1 strings, logical types in their underlying form, unions in their first branch's type.
 */
import {
  bytesToBigInt,
  bytesToDuration,
  formatDecimal,
  formatIsoDate,
  formatInstant,
  formatIsoTime,
  isUuid,
  parseDecimal,
} from '../../../../runtime/src/codegen/logical.js';
import type { IrType, ModelIr, ModelRegistry, RecordModelIr, TsValue } from '../ir.js';
import { isObject } from './collect.js';
import { irBranchName } from './union-tags.js';

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

type Result = TsValue | { readonly error: string };

const err = (error: string): Result => ({ error });
const isError = (r: Result): r is { readonly error: string } => 'error' in r;

export function convertDefault(type: IrType, json: unknown, registry: ModelRegistry): Result {
  return new DefaultConverter(registry).convert(type, json, '');
}

class DefaultConverter {
  private readonly inProgress = new Set<string>();

  constructor(private readonly registry: ModelRegistry) {}

  convert(type: IrType, json: unknown, at: string): Result {
    const expected = (what: string): Result => err(`${at === '' ? '' : `at ${at}: `}expected ${what}, got ${JSON.stringify(json)}`);
    switch (type.kind) {
      case 'null':
        return json === null ? { t: 'literal', value: null } : expected('null');
      case 'boolean':
        return typeof json === 'boolean' ? { t: 'literal', value: json } : expected('a boolean');
      case 'int':
        return Number.isInteger(json) && (json as number) >= INT_MIN && (json as number) <= INT_MAX ? { t: 'literal', value: json as number } : expected('a 32-bit integer');
      case 'long':
        // avsc accepts |n| <= 2^53 - 2 for longs.
        return Number.isSafeInteger(json) && Math.abs(json as number) <= 9_007_199_254_740_990 ? { t: 'literal', value: json as number } : expected('an integer with |n| <= 2^53 - 2');
      case 'float':
      case 'double':
        return typeof json === 'number' ? { t: 'literal', value: json } : expected('a number');
      case 'string':
        return typeof json === 'string' ? { t: 'literal', value: json } : expected('a string');
      case 'bytes': {
        const bytes = latin1Bytes(json);
        return bytes === undefined ? expected('a string of ISO-8859-1 characters') : { t: 'bytes', base64: bytes.toString('base64') };
      }
      case 'array': {
        if (!Array.isArray(json)) return expected('an array');
        const items: TsValue[] = [];
        for (const [i, item] of json.entries()) {
          const r = this.convert(type.items, item, `${at}[${i}]`);
          if (isError(r)) return r;
          items.push(r);
        }
        return { t: 'array', items };
      }
      case 'map': {
        if (!isObject(json)) return expected('an object');
        const entries: [string, TsValue][] = [];
        for (const [key, item] of Object.entries(json)) {
          const r = this.convert(type.values, item, `${at}[${JSON.stringify(key)}]`);
          if (isError(r)) return r;
          entries.push([key, r]);
        }
        return { t: 'object', entries };
      }
      case 'union': {
        // The spec: a union default must match the union's first branch.
        const first = type.branches[0];
        if (first === undefined) return expected('a value');
        const value = this.convert(first, json, at);
        if (isError(value) || type.tagged?.includes(0) !== true) return value;
        return { t: 'object', entries: [['branch', { t: 'literal', value: irBranchName(first) }], ['value', value]] };
      }
      case 'logical':
        return this.convertLogical(type, json, expected);
      case 'ref':
        return this.convertNamed(type.name, json, at, expected);
      default:
        return err(`defaults are not supported for ${type.kind}`);
    }
  }

  private convertLogical(type: Extract<IrType, { kind: 'logical' }>, json: unknown, expected: (what: string) => Result): Result {
    const literal = (value: string): Result => ({ t: 'literal', value });
    try {
      switch (type.logical) {
        case 'date':
          return Number.isInteger(json) ? literal(formatIsoDate(json as number)) : expected('days since 1970-01-01 (int)');
        case 'time-millis':
        case 'time-micros':
          return Number.isInteger(json) ? literal(formatIsoTime(json as number, type.logical === 'time-micros')) : expected('an integer time of day');
        case 'timestamp-millis':
        case 'timestamp-micros':
        case 'timestamp-nanos':
        case 'local-timestamp-millis':
        case 'local-timestamp-micros':
        case 'local-timestamp-nanos': {
          const digits = type.logical.endsWith('nanos') ? 9 : type.logical.endsWith('micros') ? 6 : 3;
          return Number.isInteger(json) ? literal(formatInstant(BigInt(json as number), digits, type.logical.startsWith('local'))) : expected('an integer timestamp');
        }
        case 'uuid':
          return typeof json === 'string' && isUuid(json) ? literal(json) : expected('a UUID string');
        case 'decimal': {
          const bytes = latin1Bytes(json);
          if (bytes === undefined) return expected('decimal bytes as an ISO-8859-1 string');
          return this.decimal(bytes, type.precision ?? 1, type.scale ?? 0, expected);
        }
        case 'duration':
          return expected('a duration (only valid on a fixed)');
      }
    } catch (error) {
      return expected(error instanceof Error ? error.message : String(error));
    }
  }

  private decimal(bytes: Buffer, precision: number, scale: number, expected: (what: string) => Result): Result {
    const text = formatDecimal(bytesToBigInt(bytes), scale);
    return typeof parseDecimal(text, precision, scale) === 'string' ? expected(`a decimal within precision ${precision}`) : { t: 'literal', value: text };
  }

  private convertNamed(name: string, json: unknown, at: string, expected: (what: string) => Result): Result {
    const model: ModelIr | undefined = this.registry.get(name);
    if (model === undefined) return err(`unknown type ${name}`);
    switch (model.kind) {
      case 'enum':
        return typeof json === 'string' && model.symbols.includes(json) ? { t: 'literal', value: json } : expected(`one of ${model.symbols.join(', ')}`);
      case 'fixed': {
        const bytes = latin1Bytes(json);
        if (bytes === undefined || bytes.length !== model.size) return expected(`${model.size} ISO-8859-1 characters`);
        if (model.logical?.logical === 'decimal') return this.decimal(bytes, model.logical.precision ?? 1, model.logical.scale ?? 0, expected);
        if (model.logical?.logical === 'uuid') {
          const hex = bytes.toString('hex');
          return { t: 'literal', value: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
        }
        if (model.logical?.logical === 'duration') {
          const d = bytesToDuration(bytes);
          return { t: 'object', entries: [['months', lit(d.months)], ['days', lit(d.days)], ['millis', lit(d.millis)]] };
        }
        return { t: 'bytes', base64: bytes.toString('base64') };
      }
      case 'record':
        return this.convertRecord(model, json, at, expected);
      default:
        return this.convert(model.type, json, at);
    }
  }

  private convertRecord(model: RecordModelIr, json: unknown, at: string, expected: (what: string) => Result): Result {
    if (!isObject(json)) return expected(`an object for record ${model.fullName}`);
    if (this.inProgress.has(model.fullName)) return err(`default of recursive record ${model.fullName} never ends`);
    this.inProgress.add(model.fullName);
    try {
      const entries: [string, TsValue][] = [];
      for (const field of model.fields) {
        if (!Object.hasOwn(json, field.name)) {
          // The record constructor fills in the field's own default.
          if (field.avroDefault === undefined) return err(`${at === '' ? '' : `at ${at}: `}record default lacks field ${field.name}, which has no default`);
          continue;
        }
        const r = this.convert(field.type, json[field.name], `${at}.${field.name}`);
        if (isError(r)) return r;
        entries.push([field.name, r]);
      }
      return { t: 'record', name: model.fullName, entries };
    } finally {
      this.inProgress.delete(model.fullName);
    }
  }
}

function lit(value: number): TsValue {
  return { t: 'literal', value };
}

/** Avro JSON encodes bytes as a string whose code points are the byte values (0-255). */
function latin1Bytes(json: unknown): Buffer | undefined {
  if (typeof json !== 'string') return undefined;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) > 0xff) return undefined;
  return Buffer.from(json, 'latin1');
}

export { isError as isDefaultError };
