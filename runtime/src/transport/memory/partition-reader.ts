import { FaustgenError } from '../../core/errors.js';
import type { ConsumedRecord, PartitionReader, TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import type { MemoryBroker } from './broker.js';
import { PartitionFetcher } from './fetcher.js';
import { describeTp, tpKey } from './topic-partition-key.js';

type Handler = (records: readonly ConsumedRecord[]) => Promise<void>;

/**
 * Reads chosen partitions from chosen offsets, outside any group and without committing. Partitions
 * may be assigned before or after `start`. A handler that throws halts that partition (it is not
 * skipped nor redelivered) and the error goes to `onError`; the PartitionReader interface has no
 * error channel of its own yet.
 */
export class MemoryPartitionReader implements PartitionReader {
  private readonly broker: MemoryBroker;
  private readonly fetchers = new Map<string, PartitionFetcher>();
  private handler: Handler | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  /** Errors thrown by the handler, per halted partition. */
  onError: (error: unknown, partition: TopicPartition) => void = (error) => {
    this.errors.push(error);
  };
  /** Handler errors seen by the default `onError`. */
  readonly errors: unknown[] = [];

  constructor(broker: MemoryBroker) {
    this.broker = broker;
  }

  assign(positions: readonly TopicPartitionOffset[]): void {
    for (const position of positions) {
      if (!Number.isSafeInteger(position.offset) || position.offset < 0) {
        throw new FaustgenError('FG_SETTING_INVALID', `offset ${position.offset} for ${describeTp(position)} is not a non-negative whole number`, {
          details: { topic: position.topic, partition: position.partition, offset: position.offset },
        });
      }
      const existing = this.fetchers.get(tpKey(position));
      if (existing !== undefined) {
        existing.seek(position.offset);
        continue;
      }
      const log = this.broker.log(position.topic, position.partition);
      const tp: TopicPartition = { topic: position.topic, partition: position.partition };
      const fetcher = new PartitionFetcher(log, position.offset, this.deliver, (error) => this.onError(error, tp));
      this.fetchers.set(tpKey(position), fetcher);
      if (this.state === 'running') fetcher.start();
    }
  }

  /** No record of these partitions is handed over after this returns (one already in flight may finish). */
  unassign(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const fetcher = this.fetchers.get(tpKey(tp));
      if (fetcher === undefined) continue;
      this.fetchers.delete(tpKey(tp));
      void fetcher.stop();
    }
  }

  /** Resolves once delivery has started; records then flow until `stop`. */
  async start(onRecords: Handler): Promise<void> {
    if (this.state !== 'idle') {
      throw new FaustgenError('FG_APP_STATE', `the partition reader was already ${this.state === 'running' ? 'started' : 'stopped'}`, {
        details: { state: this.state },
      });
    }
    this.handler = onRecords;
    this.state = 'running';
    for (const fetcher of this.fetchers.values()) fetcher.start();
  }

  /** Resolves when no batch is in flight any more. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    const fetchers = [...this.fetchers.values()];
    this.fetchers.clear();
    await Promise.all(fetchers.map((fetcher) => fetcher.stop()));
  }

  /** The position of a partition: the offset of the next record to hand over. */
  position(tp: TopicPartition): number | undefined {
    return this.fetchers.get(tpKey(tp))?.position;
  }

  private readonly deliver: Handler = (records) => {
    const handler = this.handler;
    if (handler === undefined) return Promise.resolve();
    return handler(records);
  };
}
