import type avro from 'avsc';
import { FaustgenError, describeError } from '../core/errors.js';
import type { Codec } from '../types/codec.js';
import { buildAvroType } from './avro-logical-types.js';
import { AvroSchemaPart, assembleAvroSchema } from './avro-schema.js';
import { fromAvroValue, toAvroValue } from './avro-convert.js';
import { compileAvroDecoder } from './avro-decoder.js';
import type { AvroDecoder } from './avro-decoder.js';
import { compileAvroEncoder } from './avro-encoder.js';
import type { AvroEncoder } from './avro-encoder.js';
import { AvroReader, AvroWriter } from './avro-wire.js';
import { checkValue } from './check.js';
import type { TypeDesc } from './descriptors.js';
import { issuesError } from './errors.js';
import type { ValidationIssue } from './issues.js';
import { fromJsonValue, toJsonValue } from './json.js';
import { compileJsonDecoder, NOT_DECODED } from './json-decoder.js';
import type { JsonDecoder } from './json-decoder.js';
import { compileJsonEncoder } from './json-encoder.js';
import type { JsonEncoder } from './json-encoder.js';
import { releaseJsonWriter, takeJsonWriter } from './json-writer.js';

export interface ModelCodec<T> extends Codec<T> {
  /** Model-form validation, the same check `encode` runs first. */
  validate(value: unknown): ValidationIssue[];
}

export interface AvroModelCodec<T> extends ModelCodec<T> {
  /** The self-contained writer schema (Avro JSON) this codec encodes with. */
  readonly schema: unknown;
  /** The avsc type, built on first use (model-form logical types, wrapped unions). */
  readonly avroType: avro.Type;
  /** The model value of an avsc value of `avroType` (e.g. one read through a schema resolver). */
  fromAvro(avroValue: unknown): T;
}

function validator(desc: TypeDesc): (value: unknown) => ValidationIssue[] {
  return (value) => {
    const issues: ValidationIssue[] = [];
    checkValue(desc, value, '$', issues);
    return issues;
  };
}

/** UTF-8 JSON in Faust's format (records carry `__faust.ns`); decode validates and reports every issue. */
export function jsonCodec<T>(desc: TypeDesc, modelName: string): ModelCodec<T> {
  const validate = validator(desc);
  const name = `json:${modelName}`;
  // Compiled on first use; anything they do not vouch for takes the general path below.
  let encoder: JsonEncoder | undefined;
  let decoder: JsonDecoder | undefined;
  return {
    name,
    validate,
    encode(value: T): Buffer {
      encoder ??= compileJsonEncoder(desc);
      const w = takeJsonWriter();
      try {
        if (encoder(w, value)) return w.finish();
      } finally {
        releaseJsonWriter(w);
      }
      const issues = validate(value);
      if (issues.length > 0) throw issuesError('FG_ENCODE', `cannot encode ${modelName} with ${name}`, issues);
      return Buffer.from(JSON.stringify(toJsonValue(desc, value)), 'utf8');
    },
    decode(bytes: Buffer): T {
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        throw new FaustgenError('FG_DECODE', `${name}: payload is not JSON (${describeError(error)})`, {
          cause: error,
          details: { path: '$', issues: [], length: bytes.length },
        });
      }
      decoder ??= compileJsonDecoder(desc);
      const decoded = decoder(json);
      if (decoded !== NOT_DECODED) return decoded as T;
      const issues: ValidationIssue[] = [];
      const value = fromJsonValue(desc, json, '$', issues);
      if (issues.length > 0) throw issuesError('FG_VALIDATION', `${name}: invalid ${modelName}`, issues);
      return value as T;
    },
  };
}

/**
 * Avro binary (no framing) through avsc. `schema` is the writer schema, or the generated module's
 * {@link AvroSchemaPart} from which it is assembled; both it and the avsc type are built lazily so
 * that modules can import each other.
 */
export function avroCodec<T>(desc: TypeDesc, schema: unknown, modelName: string): AvroModelCodec<T> {
  const validate = validator(desc);
  const name = `avro:${modelName}`;
  let type: avro.Type | undefined;
  let assembled: unknown;
  const writerSchema = (): unknown => (assembled ??= schema instanceof AvroSchemaPart ? assembleAvroSchema(schema) : schema);
  const avroType = (): avro.Type => (type ??= buildAvroType(writerSchema()));
  // Compiled on first use (the descriptors of other modules may still be loading at definition time).
  let encoder: AvroEncoder | undefined;
  let decoder: AvroDecoder | undefined;
  const general = {
    encode(value: T): Buffer {
      const issues = validate(value);
      if (issues.length > 0) throw issuesError('FG_ENCODE', `cannot encode ${modelName} with ${name}`, issues);
      try {
        return avroType().toBuffer(toAvroValue(desc, value));
      } catch (error) {
        throw new FaustgenError('FG_ENCODE', `${name}: ${describeError(error)}`, { cause: error, details: { path: '$', issues: [] } });
      }
    },
    decode(bytes: Buffer): T {
      try {
        return fromAvroValue(desc, avroType().fromBuffer(bytes)) as T;
      } catch (error) {
        throw new FaustgenError('FG_DECODE', `${name}: cannot decode ${bytes.length} bytes (${describeError(error)})`, {
          cause: error,
          details: { path: '$', issues: [] },
        });
      }
    },
  };
  return {
    name,
    get schema() {
      return writerSchema();
    },
    validate,
    get avroType() {
      return avroType();
    },
    fromAvro: (avroValue) => fromAvroValue(desc, avroValue) as T,
    // The compiled one-pass path first; anything it does not vouch for (invalid values, input it
    // does not read) goes the general way, which reports problems exactly as it always has.
    encode(value: T): Buffer {
      encoder ??= compileAvroEncoder(desc);
      const w = takeWriter();
      try {
        if (encoder(w, value)) return w.finish();
      } catch {
        // fall through to the general path
      } finally {
        releaseWriter(w);
      }
      return general.encode(value);
    },
    decode(bytes: Buffer): T {
      decoder ??= compileAvroDecoder(desc);
      try {
        const r = new AvroReader(bytes);
        const value = decoder(r);
        if (r.pos === bytes.length) return value as T;
      } catch {
        // fall through to the general path
      }
      return general.decode(bytes);
    },
  };
}

/** One writer reused by every encode (encodes do not nest; a nested one, from a getter say, gets its own). */
const sharedWriter = new AvroWriter();
let sharedInUse = false;

function takeWriter(): AvroWriter {
  const w = sharedInUse ? new AvroWriter(256) : sharedWriter;
  sharedInUse = true;
  w.begin();
  return w;
}

function releaseWriter(w: AvroWriter): void {
  if (w === sharedWriter) sharedInUse = false;
}
