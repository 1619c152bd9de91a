import { createApp, codecs, registryAvro, type App } from 'faustgen';
import { nowMs } from '../../lib/stats.js';
import type { Pipeline, PipelineTopics } from '../stateless/pipeline.js';
import { enrich, keep, type Payment } from '../stateless/records.js';
import type { PaymentCodecs } from './models.js';

/**
 * The stateless pipeline of the `stateless` row (one agent, `stream.filter(keep).map(enrich)`, the
 * sink topic as `sinks: [out]`), with registry-framed Avro values in and out, wired as the
 * generated `topics.ts` of a `registry: true` topic wires them. The app registers its output schema
 * on the first send (autoRegister) and fetches the input's writer schema once by id.
 */
export class FaustgenAvroRegistryPipeline implements Pipeline {
  readonly name = 'faustgen-avro-registry';
  private app: App | undefined;
  private first: number | undefined;

  constructor(
    private readonly topics: PipelineTopics,
    private readonly registryUrl: string,
    private readonly codecs: PaymentCodecs,
  ) {}

  firstConsumedAt(): number | undefined {
    return this.first;
  }

  async start(): Promise<void> {
    const { bootstrap, inTopic, outTopic, groupId, partitions } = this.topics;
    const app = (this.app = createApp({
      id: groupId,
      broker: `kafka://${bootstrap}`,
      topicPartitions: partitions,
      standbyReplicas: 0,
      logLevel: 'warn',
      schemaRegistryUrl: this.registryUrl,
      schemaRegistryAutoRegister: true,
    }));
    const source = app.topic(inTopic, { key: codecs.raw, value: registryAvro(app, this.codecs.payment, { topic: inTopic }), partitions });
    const sink = app.topic(outTopic, { value: registryAvro(app, this.codecs.enriched, { topic: outTopic }), partitions });
    const marked = (payment: Payment): boolean => {
      this.first ??= nowMs();
      return keep(payment);
    };
    app.agent('pipe', { source, sinks: [sink] }, async function* (stream) {
      for await (const value of stream.filter(marked).map(enrich)) yield value;
    });
    await app.start();
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    this.app = undefined;
  }
}
