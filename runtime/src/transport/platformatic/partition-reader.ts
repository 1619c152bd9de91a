import { randomUUID } from 'node:crypto';
import { Consumer } from '@platformatic/kafka';
import type { ConsumedRecord, PartitionReader, TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { baseOptions, waitForBrokers } from './client.js';
import { PartitionFetcher } from './fetcher.js';

/**
 * Reads chosen partitions outside any group. Unlike the kafkajs driver (a throwaway group per
 * reader, a group join per new topic), this one fetches the partitions directly from their leaders:
 * assign() and unassign() take effect at the next fetch, without a restart or a join.
 */
export class PlatformaticPartitionReader implements PartitionReader {
  private consumer: Consumer | undefined;
  private fetcher: PartitionFetcher | undefined;
  private readonly wanted = new Map<string, TopicPartitionOffset>();

  constructor(private readonly options: KafkaDriverOptions) {}

  assign(positions: readonly TopicPartitionOffset[]): void {
    for (const p of positions) {
      this.wanted.set(`${p.topic}\u0000${p.partition}`, p);
      this.fetcher?.seek(p, p.offset);
    }
  }

  unassign(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      this.wanted.delete(`${tp.topic}\u0000${tp.partition}`);
      this.fetcher?.remove(tp);
    }
  }

  async start(onRecords: (records: readonly ConsumedRecord[]) => Promise<void>, onPassed?: (position: TopicPartitionOffset) => void): Promise<void> {
    if (this.consumer !== undefined) return;
    await waitForBrokers(this.options);
    // A group id is required by the client; it is never joined and never committed to.
    const consumer = new Consumer({ ...baseOptions(this.options, 'reader'), groupId: `${this.options.clientId}-reader-${randomUUID()}` });
    const fetcher = new PartitionFetcher(consumer, this.options, {
      deliver: onRecords,
      passed: (tp, _from, to) => onPassed?.({ ...tp, offset: to }),
      failed: (error, first) => this.options.log?.[first ? 'warn' : 'debug']('Kafka partition reader: fetch failed (broker unreachable or leader moved); retrying', { error: String(error) }),
      recovered: (failures, outageMs) => this.options.log?.info('Kafka partition reader: fetch recovered', { failures, outageMs }),
    });
    this.consumer = consumer;
    this.fetcher = fetcher;
    for (const p of this.wanted.values()) fetcher.seek(p, p.offset);
    fetcher.start();
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    const fetcher = this.fetcher;
    this.consumer = undefined;
    this.fetcher = undefined;
    await fetcher?.stop();
    await consumer?.close().catch(() => undefined);
  }
}
