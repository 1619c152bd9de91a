import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Admin } from '../types/transport.js';

interface Position {
  readonly topic: string;
  readonly partition: number;
  /** Processed up to (first event not fully acked); undefined while nothing was delivered. */
  readonly processed: number | undefined;
}

export interface StalledPartition {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
  readonly sinceMs: number;
}

/**
 * Finds partitions that are assigned, have lag, and made no progress for `timeoutMs`: the silent
 * stall Faust users report most (faust.md §4.1). They are logged and exposed for health checks.
 */
export class StallWatcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly lastProgress = new Map<string, { position: number | undefined; at: number }>();
  private stalledNow: StalledPartition[] = [];

  constructor(private readonly log: Logger, private readonly timeoutMs: number) {}

  get stalled(): readonly StalledPartition[] {
    return this.stalledNow;
  }

  /** `groupId`'s committed offsets stand in for partitions that got nothing since this worker started. */
  start(positions: () => readonly Position[], admin: Admin, groupId: string): void {
    const interval = Math.max(250, Math.floor(this.timeoutMs / 4));
    this.timer = setInterval(() => {
      this.check(positions(), admin, groupId).catch((error: unknown) => this.log.debug('stall check failed', { error: describeError(error) }));
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(positions: readonly Position[], admin: Admin, groupId: string): Promise<void> {
    const now = Date.now();
    const highs = new Map<string, Map<number, number>>();
    for (const topic of new Set(positions.map((p) => p.topic))) {
      highs.set(topic, new Map((await admin.fetchOffsets(topic)).map((o) => [o.partition, o.high])));
    }
    // A partition that got nothing since this worker started is idle at the group's committed
    // offset, or held back before its first fetch: only the broker's commit tells which.
    const committed = new Map<string, Map<number, number>>();
    for (const topic of new Set(positions.filter((p) => p.processed === undefined).map((p) => p.topic))) {
      committed.set(topic, new Map((await admin.fetchCommitted(groupId, topic)).map((o) => [o.partition, o.offset])));
    }
    const stalled: StalledPartition[] = [];
    for (const p of positions) {
      const key = `${p.topic}:${p.partition}`;
      // Progress is processing, not delivery: a full buffer in front of a blocked handler is a stall.
      const done = p.processed ?? committed.get(p.topic)?.get(p.partition);
      const seen = this.lastProgress.get(key);
      if (seen === undefined || seen.position !== done) {
        this.lastProgress.set(key, { position: done, at: now });
        continue;
      }
      // Nothing delivered and nothing committed: the lag is unknown, so no verdict.
      if (done === undefined) continue;
      const lag = (highs.get(p.topic)?.get(p.partition) ?? 0) - done;
      if (lag > 0 && now - seen.at >= this.timeoutMs) stalled.push({ topic: p.topic, partition: p.partition, lag, sinceMs: now - seen.at });
    }
    for (const s of stalled) {
      if (!this.stalledNow.some((o) => o.topic === s.topic && o.partition === s.partition)) {
        this.log.warn('partition stalled: lag and no progress', { topic: s.topic, partition: s.partition, lag: s.lag, seconds: Math.round(s.sinceMs / 1000) });
      }
    }
    this.stalledNow = stalled;
  }
}
