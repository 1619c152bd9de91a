import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { benchSchema, generateBenchModels } from '../lib/generated-models.js';
import { progress } from '../lib/progress.js';
import type { Scenario } from '../lib/scenario.js';
import { codecRows, measureCodecs } from './codec/measure.js';
import { avroOrderJson } from './codec/record.js';

const NAME = 'codec-avro';
const BASELINE = 'codec-avro-avsc';

interface ModelCodec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

/**
 * The generated Avro codec of `bench/schemas/codec/order.avsc` (generated at bench start) against
 * avsc's own `Type.forSchema` of the same schema on the same record, in the plain form avsc takes
 * (timestamps as numbers, decimals as two's-complement bytes, unions unwrapped). The generated
 * codec also validates the model value and converts to and from the model form (ISO strings,
 * decimal strings, generated classes); avsc does neither.
 */
export const codecAvroScenario: Scenario = {
  name: NAME,
  rows: [NAME, BASELINE],
  needsBroker: false,
  async run({ options }) {
    const schemaFile = benchSchema('codec/order.avsc');
    const models = await generateBenchModels([schemaFile]);
    try {
      const module = await models.load(models.modulePath('bench.codec.Order'));
      const Order = module['Order'] as { fromJSON(json: unknown): unknown };
      const codec = module['OrderAvroCodec'] as ModelCodec;
      const value = Order.fromJSON(avroOrderJson());
      const bytes = codec.encode(value);
      const type = avro.Type.forSchema(JSON.parse(readFileSync(schemaFile, 'utf8')) as avro.Schema);
      const plain: unknown = type.fromBuffer(bytes);
      if (!type.toBuffer(plain).equals(bytes)) throw new Error('avsc and the generated codec write different bytes for the bench record');
      progress(`record: ${bytes.length} B of Avro; ${options.rounds} interleaved round(s)`);
      const figures = measureCodecs(
        [
          { row: NAME, encode: () => codec.encode(value), decode: (b) => codec.decode(b) },
          { row: BASELINE, encode: () => type.toBuffer(plain), decode: (b) => type.fromBuffer(b) },
        ],
        options.rounds,
      );
      return codecRows(NAME, BASELINE, figures, {
        generated: 'generated OrderAvroCodec: validates, converts model form (classes, ISO timestamps, decimal strings) and encodes / decodes',
        baseline: "avsc 5.7.9 Type.forSchema(order.avsc).toBuffer / fromBuffer on avsc's plain form (no validation beyond avsc's own)",
      });
    } finally {
      models.cleanup();
    }
  },
};
