import type { ConsumedRecord } from '../../types/transport.js';
import type { AppendWaiter, PartitionLog } from './partition-log.js';

export const MAX_BATCH_RECORDS = 500;

/**
 * The delivery loop of one partition, shared by group consumers and partition readers: read a
 * batch at the position, hand it over, await the handler (back-pressure), advance, repeat; sleep
 * while paused or caught up until an append, seek, resume or stop wakes it.
 *
 * Once `stop()` has been called no further batch is handed over; `stop()` resolves after the batch
 * in flight (if any) has been handled, so callers can rely on "nothing of this partition is being
 * processed any more".
 */
export class PartitionFetcher implements AppendWaiter {
  readonly log: PartitionLog;
  private positionValue: number;
  private pausedValue = false;
  private stopped = false;
  private started = false;
  /** Bumped by seek, so that a batch in flight does not overwrite the new position when it ends. */
  private seekEpoch = 0;
  private loop: Promise<void> | undefined;
  private wakeSleeper: (() => void) | undefined;
  private readonly deliver: (records: readonly ConsumedRecord[]) => Promise<void>;
  private readonly onError: (error: unknown, fetcher: PartitionFetcher) => void;

  constructor(
    log: PartitionLog,
    position: number,
    deliver: (records: readonly ConsumedRecord[]) => Promise<void>,
    onError: (error: unknown, fetcher: PartitionFetcher) => void,
  ) {
    this.log = log;
    this.positionValue = position;
    this.deliver = deliver;
    this.onError = onError;
  }

  get position(): number {
    return this.positionValue;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.loop = this.run();
  }

  seek(offset: number): void {
    this.positionValue = offset;
    this.seekEpoch++;
    this.wake();
  }

  pause(): void {
    this.pausedValue = true;
  }

  resume(): void {
    this.pausedValue = false;
    this.wake();
  }

  /** Stops delivery at once; resolves when the batch in flight is done. */
  stop(): Promise<void> {
    this.stopped = true;
    this.log.removeWaiter(this);
    this.wake();
    return this.loop ?? Promise.resolve();
  }

  wake(): void {
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleeper = resolve;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.pausedValue) {
        await this.sleep();
        continue;
      }
      const batch = this.log.read(this.positionValue, MAX_BATCH_RECORDS);
      const last = batch[batch.length - 1];
      if (last === undefined) {
        this.log.addWaiter(this);
        await this.sleep();
        this.log.removeWaiter(this);
        continue;
      }
      const epoch = this.seekEpoch;
      try {
        await this.deliver(batch);
      } catch (error) {
        // Neither skipping nor redelivering is safe to decide here: halt the partition and report.
        this.stopped = true;
        this.onError(error, this);
        return;
      }
      if (epoch === this.seekEpoch) this.positionValue = last.offset + 1;
    }
  }
}
