import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Admin } from '../types/transport.js';

interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly position: number | undefined;
  readonly committed: number | undefined;
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

  start(positions: () => readonly Position[], admin: Admin): void {
    const interval = Math.max(250, Math.floor(this.timeoutMs / 4));
    this.timer = setInterval(() => {
      this.check(positions(), admin).catch((error: unknown) => this.log.debug('stall check failed', { error: describeError(error) }));
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async check(positions: readonly Position[], admin: Admin): Promise<void> {
    const now = Date.now();
    const highs = new Map<string, Map<number, number>>();
    for (const topic of new Set(positions.map((p) => p.topic))) {
      highs.set(topic, new Map((await admin.fetchOffsets(topic)).map((o) => [o.partition, o.high])));
    }
    const stalled: StalledPartition[] = [];
    for (const p of positions) {
      const key = `${p.topic}:${p.partition}`;
      const seen = this.lastProgress.get(key);
      if (seen === undefined || seen.position !== p.position) {
        this.lastProgress.set(key, { position: p.position, at: now });
        continue;
      }
      const high = highs.get(p.topic)?.get(p.partition) ?? 0;
      const lag = high - (p.committed ?? p.position ?? 0);
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
