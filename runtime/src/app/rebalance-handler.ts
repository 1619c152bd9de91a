import { performance } from 'node:perf_hooks';
import type { Logger } from '../core/logger.js';
import type { Conductor } from '../consumer/conductor.js';
import type { SensorSet } from '../sensors/sensor.js';
import type { TableManager } from '../tables/table-manager.js';
import type { GroupAssignment, TopicPartition } from '../types/transport.js';
import type { ExactlyOnce } from './exactly-once.js';
import type { OutputHold } from './output-hold.js';

/** What rebalance handling reads from the app; the table manager exists once the app started. */
export interface RebalanceHost {
  readonly leaderTopic: string;
  readonly log: Logger;
  readonly sensors: SensorSet;
  readonly conductor: Conductor;
  readonly outputHold: OutputHold;
  readonly exactlyOnce: ExactlyOnce | undefined;
  hasTables(): boolean;
  tableManager(): TableManager | undefined;
}

/**
 * What the app does when its group rebalances: revoked partitions are released, an assignment makes
 * the worker leader or not and recovers its tables, and the worker is ready once the first
 * assignment's tables are recovered.
 */
export class RebalanceHandler {
  private leaderNow = false;
  private recoveringNow = false;
  private rebalanceStartedAt: number | undefined;
  private readonly ready: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly host: RebalanceHost) {
    let resolve = (): void => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    this.ready = { promise, resolve };
  }

  /** True when this worker holds partition 0 of the leader topic. */
  get leader(): boolean {
    return this.leaderNow;
  }

  /** True while the tables of the current assignment are being recovered (the worker is not ready). */
  get recovering(): boolean {
    return this.recoveringNow;
  }

  /** Resolves once the tables of an assignment were recovered. */
  whenReady(): Promise<void> {
    return this.ready.promise;
  }

  /** The consumer is about to join the group: the first rebalance is timed from here. */
  consumerStarting(): void {
    this.rebalanceStartedAt = performance.now();
  }

  onRebalancing(): void {
    this.rebalanceStartedAt ??= performance.now();
    this.host.sensors.onRebalanceStart();
    this.host.tableManager()?.interruptRecovery();
  }

  onPartitionsRevoked(revoked: readonly TopicPartition[]): void {
    this.host.tableManager()?.release(revoked);
    this.host.outputHold.drop(revoked);
    this.host.exactlyOnce?.release(revoked);
  }

  async onAssigned(assignment: GroupAssignment): Promise<void> {
    const { conductor, log, sensors } = this.host;
    const { actives, standbys } = assignment.assignment;
    this.leaderNow = actives.some((tp) => tp.topic === this.host.leaderTopic && tp.partition === 0);
    await this.host.exactlyOnce?.assign(assignment, new Set(conductor.subscribedTopics()), conductor);
    this.recoveringNow = this.host.hasTables();
    const recovered = (await this.host.tableManager()?.assign(actives, standbys)) ?? true;
    this.recoveringNow = !recovered;
    if (recovered) {
      sensors.onRebalanceEnd(this.rebalanceStartedAt === undefined ? undefined : performance.now() - this.rebalanceStartedAt);
      this.rebalanceStartedAt = undefined;
    }
    log.info('partitions assigned', { generation: assignment.generation, actives: actives.length, standbys: standbys.length, leader: this.leaderNow, recovered });
    // An interrupted recovery resumes with the next assignment; the worker is ready only after it.
    if (recovered) this.ready.resolve();
  }
}
