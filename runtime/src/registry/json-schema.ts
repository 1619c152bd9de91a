import { FaustgenError, describeError } from '../core/errors.js';
import type { ModelCodec } from '../codegen/codecs.js';
import { FAUST_METADATA_KEY } from '../codegen/json.js';
import type { Codec } from '../types/codec.js';
import type { SchemaRegistryClient } from './client.js';
import type { RegistryTarget } from './avro.js';
import { frame, payloadOf, schemaIdOf } from './framing.js';
import { subjectName } from './subject.js';

/** The `title` of a JSON Schema, which the record strategies use as the record name. */
function titleOf(schema: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(schema);
    const title = typeof parsed === 'object' && parsed !== null ? (parsed as { title?: unknown }).title : undefined;
    return typeof title === 'string' ? title : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Registry-framed JSON Schema for one topic's key or value: the payload after the 5-byte header is
 * UTF-8 JSON. Encoding registers or looks up `schema` (the generated model's JSON Schema) once.
 * Decoding checks that the writer's schema id exists and is a JSON Schema (fetched once per id),
 * then validates the JSON against the generated model: JSON Schema has no resolution step, so
 * evolution is what the model accepts (optional and defaulted fields, extra keys when allowed).
 */
export function registryJsonSchemaCodec<T>(registry: SchemaRegistryClient, reader: ModelCodec<T>, schema: string, target: RegistryTarget): Codec<T> {
  const part = target.isKey ? 'key' : 'value';
  const subject = subjectName(target.strategy, target.topic, target.isKey, titleOf(schema));
  const known = new Set<number>();
  let ownId: number | undefined;
  let ownIdPending: Promise<void> | undefined;

  const accept = (id: number, schemaType: string): void => {
    if (schemaType !== 'JSON') {
      throw new FaustgenError('FG_SCHEMA_INCOMPATIBLE', `schema id ${id} is a ${schemaType} schema; topic "${target.topic}" ${part} reads JSON Schema`, { details: { schemaId: id, subject } });
    }
    known.add(id);
  };

  return {
    name: `registry-json-schema:${reader.name}`,
    prepareEncode(): Promise<void> | undefined {
      if (ownId !== undefined) return undefined;
      ownIdPending ??= registry
        .idFor(subject, schema, 'JSON', target.autoRegister)
        .then((id) => {
          ownId = id;
          known.add(id);
        })
        .finally(() => (ownIdPending = undefined));
      return ownIdPending;
    },
    encode(value: T): Buffer {
      if (ownId === undefined) {
        throw new FaustgenError('FG_APP_STATE', `topic "${target.topic}" ${part}: the schema id of subject "${subject}" is not known yet (prepareEncode() first)`, { details: { topic: target.topic, subject } });
      }
      // The payload is the schema's JSON: Faust's `__faust` record marker is not part of it.
      const json = reader.encode(value);
      if (!json.includes(FAUST_METADATA_KEY)) return frame(ownId, json);
      const plain: unknown = JSON.parse(json.toString('utf8'), (key, item: unknown) => (key === FAUST_METADATA_KEY ? undefined : item));
      return frame(ownId, Buffer.from(JSON.stringify(plain), 'utf8'));
    },
    prepareDecode(bytes: Buffer): Promise<void> | undefined {
      const id = schemaIdOf(bytes);
      if (known.has(id)) return undefined;
      return registry.schemaById(id).then((registered) => accept(id, registered.schemaType));
    },
    decode(bytes: Buffer): T {
      const id = schemaIdOf(bytes);
      if (!known.has(id)) {
        const cached = registry.cached(id);
        if (cached === undefined) throw new FaustgenError('FG_APP_STATE', `topic "${target.topic}" ${part}: writer schema id ${id} is not loaded (prepareDecode() first)`, { details: { schemaId: id } });
        accept(id, cached.schemaType);
      }
      try {
        return reader.decode(payloadOf(bytes));
      } catch (error) {
        if (FaustgenError.is(error)) {
          throw new FaustgenError(error.code, `${error.message} (written with schema id ${id})`, { cause: error, kind: error.kind, details: { ...error.details, schemaId: id } });
        }
        throw new FaustgenError('FG_DECODE', `${reader.name}: ${describeError(error)} (schema id ${id})`, { cause: error, details: { schemaId: id } });
      }
    },
  };
}
