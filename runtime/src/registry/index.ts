import { FaustgenError } from '../core/errors.js';
import type { AvroModelCodec } from '../codegen/codecs.js';
import type { Codec } from '../types/codec.js';
import { registryAvroCodec } from './avro.js';
import type { ModelCodec } from '../codegen/codecs.js';
import { registryJsonSchemaCodec } from './json-schema.js';
import { SchemaRegistryClient, registryAuthFromEnv } from './client.js';
import type { SubjectNameStrategy } from './subject.js';

export { SchemaRegistryClient, registryAuthFromEnv } from './client.js';
export type { CompatibilityResult, RegisteredSchema, RegistryAuth, SchemaRegistryOptions, SchemaType, SubjectVersion } from './client.js';
export { registryAvroCodec, type RegistryTarget } from './avro.js';
export { registryJsonSchemaCodec } from './json-schema.js';
export { singleObjectAvroCodec, canonicalForm, SINGLE_OBJECT_MAGIC } from './single-object.js';
export { crc64Avro } from './fingerprint.js';
export { frame, schemaIdOf, payloadOf, MAGIC_BYTE } from './framing.js';
export { subjectName, subjectNameStrategies, type SubjectNameStrategy } from './subject.js';

/** What the registry needs from an app's settings; `App` and a plain `{ settings }` (tools) both fit. */
export interface RegistryHost {
  readonly settings: {
    readonly id: string;
    readonly schemaRegistryUrl?: string | undefined;
    readonly schemaRegistryAutoRegister?: boolean | undefined;
  };
}

const clients = new WeakMap<object, SchemaRegistryClient>();

/**
 * The schema registry client of an app (one per app, created on first use) from its settings
 * (`schemaRegistryUrl`, `FAUSTGEN_SCHEMA_REGISTRY_URL`) and credentials from the environment.
 */
export function schemaRegistryOf(app: RegistryHost): SchemaRegistryClient {
  let client = clients.get(app);
  if (client === undefined) {
    const url = app.settings.schemaRegistryUrl;
    if (url === undefined || url === '') {
      throw new FaustgenError('FG_SETTING_INVALID', `app "${app.settings.id}" has registry-framed topics but no schema registry: set schemaRegistry.url in faustgen.yaml or FAUSTGEN_SCHEMA_REGISTRY_URL`, {
        details: { setting: 'schemaRegistryUrl' },
      });
    }
    const auth = registryAuthFromEnv(process.env);
    client = new SchemaRegistryClient({ url, ...(auth === undefined ? {} : { auth }) });
    clients.set(app, client);
  }
  return client;
}

export interface RegistryCodecOptions {
  /** The topic the codec serves (it names the subject under the `topic` strategies). */
  readonly topic: string;
  /** True for the key codec (subject `<topic>-key`). */
  readonly isKey?: boolean;
  /** Default `topic`. */
  readonly subjectStrategy?: SubjectNameStrategy;
}

/**
 * A registry-framed Avro codec for a topic of `app`, reading and writing the generated model of
 * `codec`. Generated topic declarations call this for topics with `registry: true`.
 *
 * @example
 * app.topic('orders', { value: registryAvro(app, OrderAvroCodec, { topic: 'orders' }) })
 */
export function registryAvro<T>(app: RegistryHost, codec: AvroModelCodec<T>, options: RegistryCodecOptions): Codec<T> {
  return registryAvroCodec(schemaRegistryOf(app), codec, {
    topic: options.topic,
    isKey: options.isKey ?? false,
    strategy: options.subjectStrategy ?? 'topic',
    autoRegister: app.settings.schemaRegistryAutoRegister ?? false,
  });
}

/**
 * A registry-framed JSON Schema codec for a topic of `app`: `schema` is the model's JSON Schema
 * (registered or looked up under the subject), `codec` the generated JSON codec that validates.
 *
 * @example
 * app.topic('lines', { value: registryJsonSchema(app, LineJsonCodec, lineSchema, { topic: 'lines' }) })
 */
export function registryJsonSchema<T>(app: RegistryHost, codec: ModelCodec<T>, schema: string, options: RegistryCodecOptions): Codec<T> {
  return registryJsonSchemaCodec(schemaRegistryOf(app), codec, schema, {
    topic: options.topic,
    isKey: options.isKey ?? false,
    strategy: options.subjectStrategy ?? 'topic',
    autoRegister: app.settings.schemaRegistryAutoRegister ?? false,
  });
}
