import type { Logger } from '../core/logger.js';
import type { PartitionRecovery } from './table-manager.js';

/** Recoveries of at least this many records log their progress at each quarter too. */
const BIG_RECOVERY_RECORDS = 100_000;

/**
 * The log lines of table recovery: a run's start, its progress every interval (and at each quarter
 * of a big run, so even a fast one leaves a trace of its rate), each partition recovered, and the
 * run's end. `remaining` tells how many records the running recovery still has to replay.
 */
export class RecoveryLog {
  /** The latest run: records to replay and its start time. */
  private total = 0;
  private started = 0;
  /** The next quarter of a big run to log; undefined when none is (a small run, or the run ended). */
  private nextQuarter: number | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly remaining: () => number,
    private readonly intervalMs: number,
  ) {}

  /** A run of `total` records begins (quarters are logged from now on for a big one). */
  plan(total: number, started: number): void {
    this.total = total;
    this.started = started;
    this.nextQuarter = total >= BIG_RECOVERY_RECORDS ? 1 : undefined;
  }

  /** The run waits for its partitions: one line now, then a progress line every interval until end(). */
  begin(partitions: number): void {
    this.log.info('recovering tables', { partitions, records: this.total });
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.progress(), this.intervalMs);
  }

  end(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.nextQuarter = undefined;
  }

  finished(): void {
    const seconds = (Date.now() - this.started) / 1000;
    this.log.info('tables recovered', { records: this.total, seconds: Number(seconds.toFixed(3)), recordsPerSecond: Math.round(this.total / Math.max(seconds, 0.001)) });
  }

  partitionRecovered(recovery: PartitionRecovery): void {
    // Empty partitions say nothing worth a line at info level.
    if (recovery.replayed > 0 || recovery.warm) this.log.info('partition recovered', { ...recovery });
    else this.log.debug('partition recovered', { ...recovery });
  }

  /** Records were applied: logs progress once the run passed its next quarter. */
  applied(): void {
    let quarter = this.nextQuarter;
    if (quarter === undefined || quarter > 3) return;
    const { total } = this;
    const remaining = this.remaining();
    if ((total - remaining) * 4 < total * quarter) return;
    while (quarter <= 3 && (total - remaining) * 4 >= total * quarter) quarter++;
    this.nextQuarter = quarter;
    this.progress();
  }

  private progress(): void {
    const { total, started } = this;
    const remaining = this.remaining();
    const done = total - remaining;
    const seconds = (Date.now() - started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    this.log.info('recovery progress', {
      percent: Number(((done / Math.max(total, 1)) * 100).toFixed(1)),
      recordsPerSecond: Math.round(rate),
      secondsLeft: rate > 0 ? Number((remaining / rate).toFixed(1)) : undefined,
    });
  }
}
