import type { Consumer } from 'kafkajs';
import type { TopicPartition, TopicPartitionOffset } from '../../types/transport.js';
import { wrapKafkaError } from './errors.js';
import { groupByTopic, partitionKey } from './records.js';

/**
 * Seek, pause and resume for the kafkajs group consumer, with the positions and pauses they leave
 * behind: kafkajs restarts kept partitions from the last commit after a rebalance and forgets pauses
 * when it restarts a crashed consumer, so both are kept here and applied again at each join.
 */
export class PartitionPositions {
  /** Next offset to deliver, per owned partition. */
  private readonly next = new Map<string, number>();
  private readonly paused = new Set<string>();

  nextOffset(key: string): number | undefined {
    return this.next.get(key);
  }

  setNextOffset(key: string, offset: number): void {
    this.next.set(key, offset);
  }

  isPaused(key: string): boolean {
    return this.paused.has(key);
  }

  seek(consumer: Consumer, position: TopicPartitionOffset): void {
    this.next.set(partitionKey(position.topic, position.partition), position.offset);
    try {
      whileRunning(() => consumer.seek({ topic: position.topic, partition: position.partition, offset: String(position.offset) }));
    } catch (error) {
      throw wrapKafkaError(error, `Cannot seek ${position.topic}[${position.partition}] to ${position.offset}`, { ...position });
    }
  }

  pause(consumer: Consumer, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.add(partitionKey(tp.topic, tp.partition));
    whileRunning(() => consumer.pause(groupByTopic(partitions)));
  }

  resume(consumer: Consumer, partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) this.paused.delete(partitionKey(tp.topic, tp.partition));
    whileRunning(() => consumer.resume(groupByTopic(partitions)));
  }

  /**
   * A generation was joined with `assigned` (keys `next`): positions of partitions no longer owned
   * are forgotten, pauses applied again, and kept partitions sought to their next undelivered offset.
   * Returns the kept ones, for the log.
   */
  rejoined(consumer: Consumer | undefined, assigned: readonly TopicPartition[], next: ReadonlySet<string>, expelled: boolean): string[] {
    if (expelled) this.next.clear();
    for (const key of [...this.next.keys()]) if (!next.has(key)) this.next.delete(key);
    const kept: string[] = [];
    // A consumer kafkajs restarted after a crash has a new fetch state: pauses are applied again.
    const paused = assigned.filter((tp) => this.paused.has(partitionKey(tp.topic, tp.partition)));
    if (paused.length > 0 && consumer !== undefined) whileRunning(() => consumer.pause(groupByTopic(paused)));
    for (const tp of assigned) {
      const position = this.next.get(partitionKey(tp.topic, tp.partition));
      if (position !== undefined && consumer !== undefined) {
        consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(position) });
        kept.push(`${tp.topic}[${tp.partition}]@${position}`);
      }
    }
    return kept;
  }

  /** The consumer stopped: nothing is owned any more (pauses stay, as they did). */
  clearPositions(): void {
    this.next.clear();
  }
}

/**
 * Runs a seek, pause or resume on the kafkajs consumer. Between a crash and kafkajs's restart of the
 * consumer (a broker failure) kafkajs has no consumer group and refuses them; the position or pause
 * is kept here and applied again when the restarted consumer joins (onGroupJoin), so the refusal is
 * not a failure (an exactly-once start-up seek during that window crashed the worker).
 */
function whileRunning(call: () => void): void {
  try {
    call();
  } catch (error) {
    if (error instanceof Error && error.message.includes('consumer#run must be called first')) return;
    throw error;
  }
}
