import { createApp, codecs, type App } from 'faustgen';
import { brokerUrl, type BenchKafkaClient } from '../../lib/kafka-client-choice.js';
import { nowMs } from '../../lib/stats.js';
import type { Pipeline, PipelineTopics } from './pipeline.js';
import { enrich, keep, type EnrichedPayment, type Payment } from './records.js';

/**
 * How results reach the output topic:
 * - `topic`: the sink is the Topic itself (`sinks: [out]`), as the docs show; the agent awaits
 *   each send, i.e. the broker's ack of every record before it takes the next one;
 * - `sendSoon`: a function sink that calls `out.sendSoon()` (fire and forget; the commit flushes
 *   the producer first, so delivery stays at-least-once). A diagnostic variant: it shows what the
 *   pipeline does when the agent does not wait for each ack.
 */
export type SinkMode = 'topic' | 'sendSoon';

/**
 * The pipeline as a faustgen user writes it: one agent on `kafka://` (the default client) or on a
 * client named by its scheme, with default driver settings, `stream.filter(...).map(...)` and a sink topic.
 */
export class FaustgenPipeline implements Pipeline {
  readonly name: string;
  readonly transactional: boolean;
  private app: App | undefined;
  private first: number | undefined;

  constructor(
    private readonly topics: PipelineTopics,
    private readonly sinkMode: SinkMode = 'topic',
    private readonly processingGuarantee: 'at_least_once' | 'exactly_once' = 'at_least_once',
    /** The Kafka client: the default (`kafka://`), or one named by its scheme (`kafka+kafkajs://`, `kafka+platformatic://`). */
    private readonly client: BenchKafkaClient = 'default',
  ) {
    this.name = (sinkMode === 'topic' ? 'faustgen' : 'faustgen-sendSoon') + (processingGuarantee === 'exactly_once' ? '-exactly-once' : '') + (client === 'default' ? '' : `-${client}`);
    this.transactional = processingGuarantee === 'exactly_once';
  }

  firstConsumedAt(): number | undefined {
    return this.first;
  }

  async start(): Promise<void> {
    const { bootstrap, inTopic, outTopic, groupId, partitions } = this.topics;
    const app = (this.app = createApp({
      id: groupId,
      broker: brokerUrl(this.client, bootstrap),
      topicPartitions: partitions,
      standbyReplicas: 0,
      logLevel: 'warn',
      processingGuarantee: this.processingGuarantee,
    }));
    const source = app.topic(inTopic, { key: codecs.raw, value: codecs.json<Payment>(), partitions });
    const sink = app.topic(outTopic, { value: codecs.json<EnrichedPayment>(), partitions });
    const marked = (payment: Payment): boolean => {
      this.first ??= nowMs();
      return keep(payment);
    };
    const sinks = this.sinkMode === 'topic' ? [sink] : [(value: EnrichedPayment): void => sink.sendSoon({ value })];
    app.agent('pipe', { source, sinks }, async function* (stream) {
      for await (const value of stream.filter(marked).map(enrich)) yield value;
    });
    await app.start();
  }

  async stop(): Promise<void> {
    await this.app?.stop();
    this.app = undefined;
  }
}
