import type { ConsumedRecord } from '../../types/transport.js';

/** Something to wake when a log grows: an idle fetcher. */
export interface AppendWaiter {
  wake(): void;
}

/**
 * One partition of a memory-broker topic: an append-only array of records whose index is the
 * offset (no retention, no compaction, so the low-water mark stays 0).
 *
 * Idle readers register as waiters instead of polling. Wake-ups are coalesced into one
 * `setImmediate` per burst of appends, so a producer that sends records one `await` at a time
 * still yields batches of many records rather than one delivery per record.
 */
export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  private readonly records: ConsumedRecord[] = [];
  private readonly waiters = new Set<AppendWaiter>();
  private wakeScheduled = false;

  constructor(topic: string, partition: number) {
    this.topic = topic;
    this.partition = partition;
  }

  /** Offset of the first record still in the log. */
  get low(): number {
    return 0;
  }

  /** Offset the next appended record gets. */
  get high(): number {
    return this.records.length;
  }

  append(record: Omit<ConsumedRecord, 'offset' | 'topic' | 'partition'>): ConsumedRecord {
    const stored: ConsumedRecord = {
      topic: this.topic,
      partition: this.partition,
      offset: this.records.length,
      timestamp: record.timestamp,
      key: record.key,
      value: record.value,
      headers: record.headers,
    };
    this.records.push(stored);
    if (this.waiters.size > 0 && !this.wakeScheduled) {
      this.wakeScheduled = true;
      setImmediate(this.wakeAll);
    }
    return stored;
  }

  /** Up to `max` records starting at `offset`; empty when `offset` is at or past the end. */
  read(offset: number, max: number): readonly ConsumedRecord[] {
    if (offset >= this.records.length) return [];
    return this.records.slice(offset, offset + max);
  }

  addWaiter(waiter: AppendWaiter): void {
    this.waiters.add(waiter);
  }

  removeWaiter(waiter: AppendWaiter): void {
    this.waiters.delete(waiter);
  }

  private readonly wakeAll = (): void => {
    this.wakeScheduled = false;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.wake();
  };
}
