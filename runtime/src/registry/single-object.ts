import type avro from 'avsc';
import { FaustgenError, describeError } from '../core/errors.js';
import { buildAvroType } from '../codegen/avro-logical-types.js';
import type { AvroModelCodec } from '../codegen/codecs.js';
import type { Codec } from '../types/codec.js';
import { crc64Avro, fingerprintBytes } from './fingerprint.js';

/** Avro single-object encoding: `C3 01`, the writer schema's 8-byte CRC-64-AVRO fingerprint (little-endian), the binary. */
export const SINGLE_OBJECT_MAGIC = Buffer.from([0xc3, 0x01]);
const HEADER = 10;

/** The Parsing Canonical Form of a schema (avsc's `schema()` drops docs, defaults, aliases and logical types). */
export function canonicalForm(type: avro.Type): string {
  return JSON.stringify(type.schema());
}

/**
 * Evolution without a registry: records in Avro single-object encoding, written with the current
 * (generated) schema or any older version kept in files (`history`), decode into the generated
 * type through Avro schema resolution; the writer is found by the fingerprint each record carries.
 * Encoding always uses the current schema. A history version that cannot be read as the current
 * one fails at construction (FG_SCHEMA_INCOMPATIBLE), not on the first record.
 */
export function singleObjectAvroCodec<T>(reader: AvroModelCodec<T>, history: readonly unknown[] = []): Codec<T> {
  let writers: Map<string, avro.Resolver | undefined> | undefined;
  let ownHeader: Buffer | undefined;
  const setup = (): { writers: Map<string, avro.Resolver | undefined>; ownHeader: Buffer } => {
    if (writers !== undefined && ownHeader !== undefined) return { writers, ownHeader };
    const readerType = reader.avroType;
    const own = fingerprintBytes(crc64Avro(canonicalForm(readerType)));
    const map = new Map<string, avro.Resolver | undefined>([[own.toString('hex'), undefined]]);
    history.forEach((schema, index) => {
      let writer: avro.Type;
      try {
        writer = buildAvroType(schema);
      } catch (error) {
        throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `${reader.name}: history schema #${index + 1} is not a usable Avro schema: ${describeError(error)}`, { kind: 'user', cause: error, details: { history: index } });
      }
      const key = fingerprintBytes(crc64Avro(canonicalForm(writer))).toString('hex');
      if (map.has(key)) return;
      try {
        map.set(key, readerType.createResolver(writer));
      } catch (error) {
        throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `${reader.name}: history schema #${index + 1} cannot be read as the current schema: ${describeError(error)}`, { kind: 'user', cause: error, details: { history: index } });
      }
    });
    writers = map;
    ownHeader = Buffer.concat([SINGLE_OBJECT_MAGIC, own]);
    return { writers: map, ownHeader };
  };
  setup();
  return {
    name: `avro-single-object:${reader.name}`,
    encode(value: T): Buffer {
      return Buffer.concat([setup().ownHeader, reader.encode(value)]);
    },
    decode(bytes: Buffer): T {
      if (bytes.length < HEADER || bytes[0] !== 0xc3 || bytes[1] !== 0x01) {
        throw new FaustgenError('FG_SCHEMA_FRAMING', `not in Avro single-object encoding (expected C3 01 and an 8-byte fingerprint, got ${bytes.subarray(0, 2).toString('hex')} in ${bytes.length} bytes)`, { details: { length: bytes.length } });
      }
      const fingerprint = bytes.subarray(2, HEADER).toString('hex');
      const known = setup().writers;
      if (!known.has(fingerprint)) {
        throw new FaustgenError('FG_SCHEMA_UNKNOWN_ID', `${reader.name}: writer schema fingerprint ${fingerprint} is neither the current schema nor one of the ${history.length} history version(s)`, { details: { fingerprint } });
      }
      let avroValue: unknown;
      try {
        avroValue = reader.avroType.fromBuffer(bytes.subarray(HEADER), known.get(fingerprint));
      } catch (error) {
        throw new FaustgenError('FG_DECODE', `${reader.name}: cannot decode ${bytes.length} bytes written with fingerprint ${fingerprint} (${describeError(error)})`, { cause: error, details: { fingerprint } });
      }
      return reader.fromAvro(avroValue);
    },
  };
}
