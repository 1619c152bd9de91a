import type { ConsumerEndBatchProcessEvent, EachBatchPayload } from 'kafkajs';
import type { ConsumerListener, TopicPartition } from '../../types/transport.js';
import type { MembershipLease } from '../membership-lease.js';
import { withHeartbeats } from './assignment-gate.js';
import type { KafkaDriverOptions } from './config.js';
import { isRebalanceError, kafkaErrorType, wrapKafkaError } from './errors.js';
import type { GroupRebalance } from './group-rebalance.js';
import type { PartitionPositions } from './partition-positions.js';
import { partitionKey, toConsumedRecords } from './records.js';

/** What batch delivery reads from the group consumer it belongs to. */
export interface DeliveryHost {
  readonly driver: KafkaDriverOptions;
  readonly groupId: string;
  readonly lease: MembershipLease;
  readonly positions: PartitionPositions;
  readonly rebalance: GroupRebalance;
  listener(): ConsumerListener | undefined;
  stopping(): boolean;
  /** GroupConsumer.pause: a partition whose records the listener failed on stops there. */
  pause(partitions: readonly TopicPartition[]): void;
}

/**
 * kafkajs's eachBatch for the group consumer: a batch waits for its generation's gate (heartbeating
 * meanwhile), is dropped when its partition is no longer owned or is paused, and otherwise goes to
 * the listener; the next offset to deliver advances once the listener took it.
 */
export class BatchDelivery {
  private readonly deliveries = new Set<Promise<unknown>>();

  constructor(private readonly host: DeliveryHost) {}

  async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, isRunning, isStale } = payload;
    const { lease, positions, rebalance } = this.host;
    const key = partitionKey(batch.topic, batch.partition);
    // A heartbeat answered REBALANCE_IN_PROGRESS still refreshed the session: the member is alive.
    const heartbeat = (): Promise<void> =>
      payload.heartbeat().then(
        () => lease.answered(),
        (error: unknown) => {
          if (kafkaErrorType(error) === 'REBALANCE_IN_PROGRESS') lease.answered();
          throw error;
        },
      );
    const intervalMs = this.host.driver.consumer.heartbeatIntervalMs;
    for (;;) {
      if (!isRunning() || isStale() || this.host.stopping()) return;
      const gate = rebalance.gate;
      if (gate.isOpen) break;
      if (gate.isSuperseded) {
        // This batch belongs to a generation that is over. Its gate never opens (awaiting its settled
        // `ready` again would spin without yielding to I/O, and the worker would never rejoin), and
        // its records are read again from the positions the next generation seeks to.
        await this.leaveSupersededBatch(heartbeat);
        return;
      }
      await withHeartbeats(gate.ready, heartbeat, intervalMs, isRebalanceError, true);
    }
    if (!rebalance.owns(key) || positions.isPaused(key) || batch.messages.length === 0) return;
    const listener = this.host.listener();
    if (listener === undefined) return;
    const records = toConsumedRecords(batch);
    const expected = positions.nextOffset(key);
    const first = records[0];
    // A fetch that did not start where this member asked: worth a line when a partition's story is read.
    if (expected !== undefined && first !== undefined && first.offset !== expected) {
      this.host.driver.log?.debug('batch does not start at the expected position', { topic: batch.topic, partition: batch.partition, expected, first: first.offset, last: records[records.length - 1]?.offset });
    }
    let outcome: { readonly error?: unknown } | undefined;
    const delivery = listener.onRecords(records).then(
      () => (outcome = {}),
      (error: unknown) => (outcome = { error }),
    );
    this.deliveries.add(delivery);
    try {
      await withHeartbeats(delivery, heartbeat, intervalMs, isRebalanceError);
    } finally {
      this.deliveries.delete(delivery);
      const last = batch.messages[batch.messages.length - 1];
      if (outcome !== undefined && !('error' in outcome) && last !== undefined) {
        payload.resolveOffset(last.offset);
        positions.setNextOffset(key, Number(last.offset) + 1);
        // kafkajs resolves a transaction marker that ends the batch together with the last record.
        const through = Number(batch.lastOffset());
        if (Number.isFinite(through) && through > Number(last.offset)) {
          positions.setNextOffset(key, through + 1);
          listener.onPassed?.({ topic: batch.topic, partition: batch.partition }, Number(last.offset) + 1, through);
        }
      } else if (outcome !== undefined) {
        // The listener failed on these records: stop this partition rather than loop over them.
        this.host.pause([{ topic: batch.topic, partition: batch.partition }]);
        listener.onError(
          wrapKafkaError(outcome.error, `onRecords failed for ${batch.topic}[${batch.partition}] at offset ${batch.firstOffset() ?? '?'}`, {
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(batch.firstOffset()),
          }, 'FG_AGENT_FAILED'),
        );
      }
    }
  }

  /** A batch of only markers or aborted records never reaches eachBatch; this event still shows it. */
  onEndBatch(event: ConsumerEndBatchProcessEvent): void {
    const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload;
    const { positions, rebalance } = this.host;
    if (batchSize !== 0 || firstOffset === null || firstOffset === undefined || rebalance.joining || !rebalance.gate.isOpen) return;
    const key = partitionKey(topic, partition);
    if (!rebalance.owns(key)) return;
    const to = Number(lastOffset);
    if ((positions.nextOffset(key) ?? -1) <= to) positions.setNextOffset(key, to + 1);
    this.host.listener()?.onPassed?.({ topic, partition }, Number(firstOffset), to);
  }

  /** Resolves when no onRecords call is in flight. */
  async quiesce(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /**
   * kafkajs rejoins by itself after a REBALANCING event or a crash. After a lost lease it knows of
   * nothing: a heartbeat tells whether the coordinator expelled the member (its error makes kafkajs
   * rejoin); if the member is still in, a rebalance error thrown from eachBatch makes kafkajs rejoin,
   * which the lost membership requires before anything is processed again.
   */
  private async leaveSupersededBatch(heartbeat: () => Promise<void>): Promise<void> {
    if (!this.host.lease.lost || this.host.stopping()) return;
    try {
      await heartbeat();
    } catch (error) {
      if (isRebalanceError(error)) throw error;
      return;
    }
    throw Object.assign(new Error(`group ${this.host.groupId}: membership lost (no heartbeat answered for a session); rejoining`), { type: 'REBALANCE_IN_PROGRESS', retriable: true });
  }
}
