/**
 * The contenders of the codec benchmark for the profiling helpers (bench/profile/codec*.ts): the
 * same generated models, record and baselines as bench/scenarios/codec-avro.ts and codec-json.ts.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { benchSchema, generateBenchModels } from '../lib/generated-models.js';
import { ajvBaseline } from '../scenarios/codec/ajv-baseline.js';
import { avroOrderJson, jsonOrderJson } from '../scenarios/codec/record.js';

interface ModelCodec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

export interface Contender {
  readonly encode: () => Buffer;
  readonly decode: (bytes: Buffer) => unknown;
  readonly cleanup: () => void;
}

/** One side of a codec comparison, built as the bench builds it: the generated codec (`avro`, `json`) or its baseline (`avsc`, `ajv`). */
export async function contender(codecArg: string): Promise<Contender> {
  const isAvro = codecArg === 'avro' || codecArg === 'avsc';
  const schemaFile = benchSchema(isAvro ? 'codec/order.avsc' : 'codec/order.schema.json');
  const models = await generateBenchModels([schemaFile]);
  const module = await models.load(models.modulePath(isAvro ? 'bench.codec.Order' : 'JsonOrder'));
  const Order = module[isAvro ? 'Order' : 'JsonOrder'] as { fromJSON(json: unknown): unknown };
  const codec = module[isAvro ? 'OrderAvroCodec' : 'JsonOrderJsonCodec'] as ModelCodec;
  const value = Order.fromJSON(isAvro ? avroOrderJson() : jsonOrderJson());
  const cleanup = () => models.cleanup();
  if (codecArg === 'avro' || codecArg === 'json') return { encode: () => codec.encode(value), decode: (b) => codec.decode(b), cleanup };
  const bytes = codec.encode(value);
  if (codecArg === 'avsc') {
    const type = avro.Type.forSchema(JSON.parse(readFileSync(schemaFile, 'utf8')) as avro.Schema);
    const plain: unknown = type.fromBuffer(bytes);
    return { encode: () => type.toBuffer(plain), decode: (b) => type.fromBuffer(b), cleanup };
  }
  return { ...ajvBaseline(schemaFile, bytes), cleanup };
}
