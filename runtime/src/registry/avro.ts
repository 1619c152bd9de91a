import type avro from 'avsc';
import { FaustgenError, describeError } from '../core/errors.js';
import { buildAvroType } from '../codegen/avro-logical-types.js';
import type { AvroModelCodec } from '../codegen/codecs.js';
import { LruCache } from '../stores/lru-cache.js';
import type { Codec } from '../types/codec.js';
import type { SchemaRegistryClient } from './client.js';
import { frame, payloadOf, schemaIdOf } from './framing.js';
import { subjectName, type SubjectNameStrategy } from './subject.js';

/** Which subject a topic's key or value schema lives under, and whether the app may register it. */
export interface RegistryTarget {
  readonly topic: string;
  readonly isKey: boolean;
  readonly strategy: SubjectNameStrategy;
  readonly autoRegister: boolean;
}

/** A decoder for one writer schema id: undefined resolver when the writer schema is the reader's own. */
interface WriterEntry {
  readonly resolver: avro.Resolver | undefined;
}

function recordName(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const { name, namespace } = schema as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string') return undefined;
  return name.includes('.') || typeof namespace !== 'string' || namespace === '' ? name : `${namespace}.${name}`;
}

/**
 * Registry-framed Avro for one topic's key or value: encodes with the generated (reader) schema,
 * whose id is looked up (or registered) once; decodes any writer schema the registry knows by id,
 * resolved into the generated type with Avro schema resolution (added fields with defaults, removed
 * fields, promotions, aliases, enum defaults). Writer schemas are fetched once per id; their
 * resolvers are kept in a bounded cache.
 */
export function registryAvroCodec<T>(registry: SchemaRegistryClient, reader: AvroModelCodec<T>, target: RegistryTarget, cacheSize = 1000): Codec<T> {
  const part = target.isKey ? 'key' : 'value';
  const subject = subjectName(target.strategy, target.topic, target.isKey, recordName(reader.schema));
  const schemaText = JSON.stringify(reader.schema);
  const writers = new LruCache<number, WriterEntry>(cacheSize);
  let ownId: number | undefined;
  let ownIdPending: Promise<void> | undefined;

  const writerEntry = (id: number, schema: string, schemaType: string): WriterEntry => {
    if (schemaType !== 'AVRO') {
      throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `schema id ${id} is a ${schemaType} schema; topic "${target.topic}" ${part} reads Avro`, { details: { schemaId: id, subject } });
    }
    let writer: avro.Type;
    try {
      writer = buildAvroType(JSON.parse(schema));
    } catch (error) {
      throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `schema id ${id} is not a usable Avro schema: ${describeError(error)}`, { cause: error, details: { schemaId: id, subject } });
    }
    const readerType = reader.avroType;
    if (writer.equals(readerType)) return { resolver: undefined };
    try {
      return { resolver: readerType.createResolver(writer) };
    } catch (error) {
      throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `writer schema id ${id} cannot be read as ${reader.name}: ${describeError(error)}`, { cause: error, details: { schemaId: id, subject } });
    }
  };

  return {
    name: `registry-${reader.name}`,
    prepareEncode(): Promise<void> | undefined {
      if (ownId !== undefined) return undefined;
      ownIdPending ??= registry
        .idFor(subject, schemaText, 'AVRO', target.autoRegister)
        .then((id) => {
          ownId = id;
          // The reader's own schema needs no resolver.
          writers.set(id, { resolver: undefined });
        })
        .finally(() => (ownIdPending = undefined));
      return ownIdPending;
    },
    encode(value: T): Buffer {
      if (ownId === undefined) {
        throw new FaustgenError('FG_APP_STATE', `topic "${target.topic}" ${part}: the schema id of subject "${subject}" is not known yet (prepareEncode() first)`, { details: { topic: target.topic, subject } });
      }
      return frame(ownId, reader.encode(value));
    },
    prepareDecode(bytes: Buffer): Promise<void> | undefined {
      const id = schemaIdOf(bytes);
      if (writers.has(id)) return undefined;
      return registry.schemaById(id).then((registered) => {
        if (!writers.has(id)) writers.set(id, writerEntry(id, registered.schema, registered.schemaType));
      });
    },
    decode(bytes: Buffer): T {
      const id = schemaIdOf(bytes);
      const entry = writers.get(id);
      if (entry === undefined) {
        const cached = registry.cached(id);
        if (cached === undefined) {
          throw new FaustgenError('FG_APP_STATE', `topic "${target.topic}" ${part}: writer schema id ${id} is not loaded (prepareDecode() first)`, { details: { schemaId: id } });
        }
        writers.set(id, writerEntry(id, cached.schema, cached.schemaType));
        return this.decode(bytes);
      }
      let avroValue: unknown;
      try {
        avroValue = reader.avroType.fromBuffer(payloadOf(bytes), entry.resolver);
      } catch (error) {
        throw new FaustgenError('FG_DECODE', `${reader.name}: cannot decode ${bytes.length} bytes written with schema id ${id} (${describeError(error)})`, { cause: error, details: { schemaId: id } });
      }
      return reader.fromAvro(avroValue);
    },
  };
}
