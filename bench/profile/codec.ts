/**
 * Profiling helper (not part of `npm run bench`): runs one side of a codec comparison alone in a
 * tight loop, so a CPU profile (or a plain timing) shows that codec only.
 * Runs the built package (npm run build first), as `npm run bench` does:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile/codec.ts <avro|avsc|json|ajv> <encode|decode|roundtrip> [seconds]
 * Prints calls/s and the CPU microseconds per call.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import avro from 'avsc';
import { benchSchema, generateBenchModels } from '../lib/generated-models.js';
import { avroOrderJson, jsonOrderJson } from '../scenarios/codec/record.js';

const withFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;

interface ModelCodec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

const codecArg = process.argv[2] ?? 'avro';
const phase = process.argv[3] ?? 'roundtrip';
const seconds = Number(process.argv[4] ?? 5);

async function contender(): Promise<{ encode: () => Buffer; decode: (b: Buffer) => unknown; cleanup: () => void }> {
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
  const ajv = new Ajv({ allErrors: true });
  withFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  const plain: unknown = JSON.parse(bytes.toString('utf8'));
  return {
    encode: () => {
      if (!validate(plain)) throw new Error('invalid');
      return Buffer.from(JSON.stringify(plain), 'utf8');
    },
    decode: (b) => {
      const parsed: unknown = JSON.parse(b.toString('utf8'));
      if (!validate(parsed)) throw new Error('invalid');
      return parsed;
    },
    cleanup,
  };
}

const c = await contender();
const bytes = c.encode();
const call = phase === 'encode' ? () => c.encode().length : phase === 'decode' ? () => (c.decode(bytes) === undefined ? 1 : 0) : () => (c.decode(c.encode()) === undefined ? 1 : 0);
let sink = 0;
for (let i = 0; i < 5_000; i++) sink += call();
const cpu = process.cpuUsage();
const start = performance.now();
let n = 0;
while (performance.now() - start < seconds * 1000) {
  for (let i = 0; i < 100; i++) sink += call();
  n += 100;
}
const elapsed = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
process.stdout.write(`${codecArg} ${phase}: ${Math.round(n / elapsed).toLocaleString('en-US')} calls/s, ${((used.user + used.system) / n).toFixed(2)} µs CPU/call${sink < 0 ? '!' : ''}\n`);
c.cleanup();
