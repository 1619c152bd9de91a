import { Consumer, Producer, type Message, type MessagesStream } from '@platformatic/kafka';
import { nowMs } from '../../lib/stats.js';
import type { Pipeline, PipelineTopics } from './pipeline.js';
import { enrich, keep, type Payment } from './records.js';

/** The same settings as the kafkajs baseline and faustgen's Kafka drivers' defaults. */
const MAX_WAIT_MS = 500;
const MAX_BYTES_PER_PARTITION = 1_048_576;
const COMMIT_INTERVAL_MS = 1_000;
/** Records per produce call, and how many may wait before the stream is paused. */
const SEND_RECORDS = 2_000;
const MAX_BUFFERED = 20_000;

/**
 * A second baseline: the same consume → transform → produce loop written the way
 * @platformatic/kafka is meant to be used (its MessagesStream, one produce call per up to 2,000
 * records, one call in flight, the stream paused while too much waits), committing acknowledged
 * positions every second. It shows what the client itself allows, next to the raw kafkajs loop.
 */
export class RawPlatformaticPipeline implements Pipeline {
  readonly name = 'platformatic';
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly acked = new Map<number, bigint>();
  private buffered: Message[] = [];
  private sending: Promise<void> | undefined;
  private first: number | undefined;

  constructor(private readonly topics: PipelineTopics) {}

  firstConsumedAt(): number | undefined {
    return this.first;
  }

  async start(): Promise<void> {
    const bootstrapBrokers = this.topics.bootstrap.split(',');
    this.producer = new Producer({ clientId: 'bench-raw-platformatic-producer', bootstrapBrokers, acks: -1, autocreateTopics: false });
    const consumer = (this.consumer = new Consumer({ clientId: 'bench-raw-platformatic', bootstrapBrokers, groupId: this.topics.groupId, autocommit: false, maxWaitTime: MAX_WAIT_MS, maxBytesPerPartition: MAX_BYTES_PER_PARTITION }));
    const stream = (this.stream = await consumer.consume({ topics: [this.topics.inTopic], mode: 'committed', fallbackMode: 'earliest' }));
    stream.on('data', (message: Message) => {
      this.first ??= nowMs();
      this.buffered.push(message);
      if (this.buffered.length >= MAX_BUFFERED) stream.pause();
      this.pump();
    });
    stream.on('error', () => undefined);
    this.commitTimer = setInterval(() => void this.commit().catch(() => undefined), COMMIT_INTERVAL_MS);
  }

  private pump(): void {
    if (this.sending !== undefined || this.buffered.length === 0) return;
    const batch = this.buffered.slice(0, SEND_RECORDS);
    this.buffered = this.buffered.slice(batch.length);
    this.sending = this.send(batch).finally(() => {
      this.sending = undefined;
      if (this.buffered.length < MAX_BUFFERED && this.stream?.isPaused() === true) this.stream.resume();
      if (this.buffered.length > 0) setImmediate(() => this.pump());
    });
  }

  private async send(batch: readonly Message[]): Promise<void> {
    const out = [];
    for (const message of batch) {
      if (message.value === undefined || message.value === null) continue;
      const payment = JSON.parse(message.value.toString('utf8')) as Payment;
      if (!keep(payment)) continue;
      out.push({ topic: this.topics.outTopic, value: Buffer.from(JSON.stringify(enrich(payment))) });
    }
    // acks per send: the client ignores the constructor's acks and sends 1 when a send does not say.
    if (out.length > 0) await this.producer?.send({ messages: out, acks: -1 });
    for (const message of batch) this.acked.set(message.partition, message.offset + 1n);
  }

  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (consumer === undefined || this.acked.size === 0) return;
    const offsets = [...this.acked].map(([partition, offset]) => ({ topic: this.topics.inTopic, partition, offset, leaderEpoch: -1 }));
    await consumer.commit({ offsets });
  }

  async stop(): Promise<void> {
    if (this.commitTimer !== undefined) clearInterval(this.commitTimer);
    await this.sending;
    await this.commit().catch(() => undefined);
    await this.stream?.close().catch(() => undefined);
    await this.consumer?.close().catch(() => undefined);
    await this.producer?.close().catch(() => undefined);
    this.consumer = undefined;
    this.producer = undefined;
  }
}
