import { benchSchema, generateBenchModels } from '../lib/generated-models.js';
import { progress } from '../lib/progress.js';
import type { Scenario } from '../lib/scenario.js';
import { ajvBaseline } from './codec/ajv-baseline.js';
import { codecRows, measureCodecs } from './codec/measure.js';
import { jsonOrderJson } from './codec/record.js';

const NAME = 'codec-json';
const BASELINE = 'codec-json-ajv';

interface ModelCodec {
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

/**
 * The generated JSON codec of `bench/schemas/codec/order.schema.json` (generated at bench start)
 * against `JSON.parse` / `JSON.stringify` with the same JSON Schema compiled by Ajv 8 (draft-07,
 * formats asserted, all errors collected as the generated codec does) on the same record.
 */
export const codecJsonScenario: Scenario = {
  name: NAME,
  rows: [NAME, BASELINE],
  needsBroker: false,
  async run({ options }) {
    const schemaFile = benchSchema('codec/order.schema.json');
    const models = await generateBenchModels([schemaFile]);
    try {
      const module = await models.load(models.modulePath('JsonOrder'));
      const Order = module['JsonOrder'] as { fromJSON(json: unknown): unknown };
      const codec = module['JsonOrderJsonCodec'] as ModelCodec;
      const value = Order.fromJSON(jsonOrderJson());
      const bytes = codec.encode(value);
      const baseline = ajvBaseline(schemaFile, bytes);
      progress(`record: ${bytes.length} B of JSON; ${options.rounds} interleaved round(s)`);
      const figures = measureCodecs(
        [
          { row: NAME, encode: () => codec.encode(value), decode: (b) => codec.decode(b) },
          { row: BASELINE, ...baseline },
        ],
        options.rounds,
      );
      return codecRows(NAME, BASELINE, figures, {
        generated: 'generated JsonOrderJsonCodec: validates, builds the generated classes on decode, writes Faust JSON (with __faust) on encode',
        baseline: 'Ajv 8 (allErrors, ajv-formats) compiled from order.schema.json + JSON.parse / JSON.stringify of plain objects',
      });
    } finally {
      models.cleanup();
    }
  },
};
