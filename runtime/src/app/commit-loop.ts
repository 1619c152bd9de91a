import { performance } from 'node:perf_hooks';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Conductor } from '../consumer/conductor.js';
import type { SensorSet } from '../sensors/sensor.js';
import type { TableManager } from '../tables/table-manager.js';
import type { GroupConsumer, Producer, TopicPartitionOffset } from '../types/transport.js';
import type { ExactlyOnce } from './exactly-once.js';
import type { OutputRouter } from './output-router.js';

/** What the commits read from the app: the parts a start creates are looked up when a commit runs. */
export interface CommitHost {
  readonly conductor: Conductor;
  readonly log: Logger;
  readonly sensors: SensorSet;
  readonly producerHost: OutputRouter;
  readonly exactlyOnce: ExactlyOnce | undefined;
  producer(): Producer | undefined;
  consumer(): GroupConsumer | undefined;
  tableManager(): TableManager | undefined;
}

/**
 * The app's commits: the timer that commits every commitIntervalMs, and what the conductor calls at
 * each commit (flush the producer first; under exactly-once, commit the partitions' transactions).
 */
export class CommitLoop {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: CommitHost) {}

  start(intervalMs: number): void {
    const { conductor, sensors, log } = this.host;
    this.timer = setInterval(() => {
      const started = performance.now();
      conductor.commitPeriodically().then(
        () => sensors.onCommit(performance.now() - started),
        (error: unknown) => {
          sensors.onCommit(performance.now() - started, error);
          log.warn('commit failed', { error: describeError(error) });
        },
      );
    }, intervalMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Every commit starts here: nothing is committed once a record nobody awaited failed. */
  async flushProducer(): Promise<void> {
    // Coalesced changelog writes go out first: the offsets about to be committed cover their events.
    this.host.tableManager()?.sendBuffered();
    await this.host.producer()?.flush();
    const failure = this.host.producerHost.failure;
    if (failure !== undefined) throw failure;
  }

  /** Exactly-once commit; a failed transaction starts every partition over in place (ExactlyOnce). */
  async commitTransactions(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const { exactlyOnce } = this.host;
    if (exactlyOnce?.active === true) await exactlyOnce.commit(offsets);
    else if (offsets.length > 0) await this.host.consumer()?.commit(offsets);
  }
}
