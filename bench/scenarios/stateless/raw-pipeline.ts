import type { Consumer, Message, Producer } from 'kafkajs';
import { SEND_BATCH_RECORDS, benchKafka } from '../../lib/kafka.js';
import { nowMs } from '../../lib/stats.js';
import type { Pipeline, PipelineTopics } from './pipeline.js';
import { enrich, keep, type Payment } from './records.js';

/** The same settings as faustgen's kafka:// driver defaults, so the comparison is like for like. */
const MAX_WAIT_MS = 500;
const MAX_BYTES_PER_PARTITION = 1_048_576;
const ACKS = -1;
const COMMIT_INTERVAL_MS = 1_000;

/**
 * The baseline: a well-written kafkajs consume → transform → produce loop. Per fetched batch it
 * decodes, filters and maps, sends the results with sendBatch (chunks of 2,000 records in parallel,
 * as faustgen's producer cuts them), and marks the batch done only once every output is
 * acknowledged; a timer commits the acknowledged positions every second (at-least-once, like
 * faustgen's commit loop).
 */
export class RawKafkajsPipeline implements Pipeline {
  readonly name = 'kafkajs';
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly acked = new Map<number, string>();
  private first: number | undefined;

  constructor(private readonly topics: PipelineTopics) {}

  firstConsumedAt(): number | undefined {
    return this.first;
  }

  async start(): Promise<void> {
    const kafka = benchKafka(this.topics.bootstrap, 'bench-raw');
    const producer = (this.producer = kafka.producer({ allowAutoTopicCreation: false }));
    const consumer = (this.consumer = kafka.consumer({
      groupId: this.topics.groupId,
      maxWaitTimeInMs: MAX_WAIT_MS,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      allowAutoTopicCreation: false,
    }));
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.inTopic], fromBeginning: true });
    const outTopic = this.topics.outTopic;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.topics.partitions,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        this.first ??= nowMs();
        const out: Message[] = [];
        for (const message of batch.messages) {
          if (message.value === null) continue;
          const payment = JSON.parse(message.value.toString('utf8')) as Payment;
          if (!keep(payment)) continue;
          out.push({ key: null, value: Buffer.from(JSON.stringify(enrich(payment))) });
        }
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < out.length; i += SEND_BATCH_RECORDS) {
          sends.push(producer.sendBatch({ acks: ACKS, topicMessages: [{ topic: outTopic, messages: out.slice(i, i + SEND_BATCH_RECORDS) }] }));
        }
        await Promise.all(sends);
        const last = batch.messages[batch.messages.length - 1];
        if (last === undefined) return;
        resolveOffset(last.offset);
        this.acked.set(batch.partition, String(Number(last.offset) + 1));
        await heartbeat();
      },
    });
    this.commitTimer = setInterval(() => void this.commit().catch(() => undefined), COMMIT_INTERVAL_MS);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined || this.acked.size === 0) return;
    const offsets = [...this.acked].map(([partition, offset]) => ({ topic: this.topics.inTopic, partition, offset }));
    await consumer.commitOffsets(offsets);
  }

  async stop(): Promise<void> {
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    await this.commit().catch(() => undefined);
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }
}
