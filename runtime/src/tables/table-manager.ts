import { setTimeout as delay } from 'node:timers/promises';
import { FaustgenError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { TableStore, StoreWrite } from '../types/store.js';
import type { Admin, ConsumedRecord, PartitionReader, TopicPartition, TopicPartitionOffset } from '../types/transport.js';
import type { Table } from './table.js';
import { RecoveryLog } from './recovery-log.js';
import { TablePartition } from './table-partition.js';

/** How often, and how far apart, a changelog end behind a store is asked for again (30 s in all). */
const END_LOOKUPS = 30;
const END_LOOKUP_INTERVAL_MS = 1_000;

interface ManagedTable {
  readonly table: Table<unknown, unknown>;
  readonly store: TableStore;
  /** Open partitions, active or standby; actives are also in table.partitions. */
  readonly open: Map<number, TablePartition>;
  readonly standbys: Set<number>;
  /** Partitions the changelog reader is assigned: followed (standby, global) or being recovered. */
  readonly reading: Set<number>;
}

interface RecoveryTarget {
  readonly table: ManagedTable;
  readonly partition: number;
  /** High-water mark at the start of recovery: done once the record before it is applied. */
  readonly until: number;
  /** First offset to replay. */
  readonly from: number;
  /** The partition was a standby here: its copy was warm and only the tail is replayed. */
  readonly warm: boolean;
  applied: number;
  replayed: number;
}

/** One partition that became active here, and what it took to bring it up to date. */
export interface PartitionRecovery {
  readonly table: string;
  readonly partition: number;
  readonly from: number;
  readonly until: number;
  readonly replayed: number;
  readonly warm: boolean;
}

export interface RecoveryProgress {
  readonly table: string;
  readonly partition: number;
  readonly replayed: number;
  readonly remaining: number;
}

export interface TableManagerOptions {
  /** How often a running recovery logs its progress (default 2 s). */
  readonly progressIntervalMs?: number;
  /** Unsent changelog writes kept per table partition until the commit (0, the default: none). */
  readonly changelogBufferSize?: number;
}

/**
 * Keeps table partitions in line with the assignment: before an active partition serves events it is
 * restored from its persisted offset up to the changelog's high-water mark; standby partitions (and
 * every partition of a global table) follow the changelog continuously, so a failover replays only
 * the tail.
 */
export class TableManager {
  private readonly tables = new Map<string, ManagedTable>();
  private readonly byTopic = new Map<string, ManagedTable>();
  private recovering = new Map<string, RecoveryTarget>();
  private recoveryDone: (() => void) | undefined;
  /** Partitions (`topic:partition`) whose recovery a rebalance interrupted: the next assign resumes them. */
  private readonly incomplete = new Set<string>();
  private interrupted = false;
  private readonly recoveryLog: RecoveryLog;
  private readerStarted = false;
  /** Records replayed into stores since start, by table: tests and benchmarks read it. */
  readonly replayed = new Map<string, number>();
  /** Partitions that became active here, in order, with what their recovery replayed. */
  readonly recoveries: PartitionRecovery[] = [];

  constructor(
    private readonly admin: Admin,
    private readonly reader: PartitionReader,
    private readonly log: Logger,
    private readonly options: TableManagerOptions = {},
  ) {
    this.recoveryLog = new RecoveryLog(log, () => this.progress().reduce((sum, p) => sum + p.remaining, 0), options.progressIntervalMs ?? 2000);
  }

  register(table: Table<unknown, unknown>, store: TableStore): void {
    const managed: ManagedTable = { table, store, open: new Map(), standbys: new Set(), reading: new Set() };
    this.tables.set(table.name, managed);
    this.byTopic.set(table.changelogTopic, managed);
  }

  isChangelog(topic: string): boolean {
    return this.byTopic.has(topic);
  }

  async start(): Promise<void> {
    if (this.readerStarted) return;
    this.readerStarted = true;
    await this.reader.start(
      (records) => this.onChangelogRecords(records),
      (position) => this.onChangelogPassed(position),
    );
  }

  /**
   * Sends the coalesced changelog writes of every active partition (each commit starts here, before
   * it waits for the producer); returns how many records went out.
   */
  sendBuffered(): number {
    let sent = 0;
    for (const managed of this.tables.values()) sent += managed.table.sendBuffered();
    return sent;
  }

  /** Moves buffered writes of every active partition into the stores (called by commit). */
  flush(): void {
    for (const managed of this.tables.values()) {
      for (const partition of managed.table.partitions.values()) partition.flush();
    }
  }

  /**
   * A rebalance started: stop waiting for the current recovery. Every batch reached the store
   * atomically with its offset, so the next assignment resumes from there without replaying twice.
   */
  interruptRecovery(): void {
    if (this.recoveryDone === undefined) return;
    this.interrupted = true;
    for (const key of this.recovering.keys()) this.incomplete.add(key);
    const done = this.recoveryDone;
    this.recoveryDone = undefined;
    done();
  }

  /**
   * The changelog's end per partition. The end Kafka reports may trail what a store holds already for
   * a while: the admin look-up reads the last stable offset, which a transaction still being ended
   * holds back, and a partition leader that just moved answers with its own high-water mark until its
   * followers caught up (a 3-broker exactly-once run crashed a worker with a false
   * FG_STORE_OFFSET_AHEAD right after a paused broker came back). Such an end is asked for again; one
   * that stays behind the store means the topic was deleted or recreated.
   */
  private async changelogEnds(topic: string, held: ReadonlyMap<number, number | undefined>): Promise<Map<number, number>> {
    for (let attempt = 1; ; attempt++) {
      const high = new Map((await this.admin.fetchOffsets(topic)).map((o) => [o.partition, o.high]));
      const behind = [...held].filter(([partition, offset]) => offset !== undefined && offset >= (high.get(partition) ?? 0));
      if (behind.length === 0 || attempt >= END_LOOKUPS) return high;
      if (attempt === 1) {
        this.log.info('the changelog ends before what the local store holds: asking again (a transaction being ended, or a partition leader that just moved)', {
          topic,
          partitions: behind.map(([partition, offset]) => `${partition}: store ${offset ?? '-'}, end ${(high.get(partition) ?? 0) - 1}`),
        });
      }
      await delay(END_LOOKUP_INTERVAL_MS);
    }
  }

  /**
   * Applies a new assignment: recovers new actives (awaited), follows standbys in the background.
   * Returns false when a rebalance interrupted the recovery.
   */
  async assign(actives: readonly TopicPartition[], standbys: readonly TopicPartition[]): Promise<boolean> {
    const started = Date.now();
    this.interrupted = false;
    const targets: RecoveryTarget[] = [];
    const toRead: TopicPartitionOffset[] = [];
    this.recovering = new Map();
    for (const managed of this.tables.values()) {
      const topic = managed.table.changelogTopic;
      const global = managed.table.definition.kind === 'global';
      const wantActive = new Set(actives.filter((tp) => tp.topic === topic).map((tp) => tp.partition));
      const wantStandby = new Set(standbys.filter((tp) => tp.topic === topic).map((tp) => tp.partition));
      // A global table serves reads from every partition, so all its partitions count as active.
      if (global) for (const p of wantStandby) wantActive.add(p);
      for (const [partition, open] of managed.open) {
        if (!wantActive.has(partition) && !wantStandby.has(partition)) {
          // Everything committed was flushed at commit; what is still buffered belongs to events this
          // worker no longer commits, whose changelog records it no longer sends.
          open.discardPending();
          this.stopReading(managed, partition);
          managed.open.delete(partition);
          managed.standbys.delete(partition);
          if (managed.table.partitions.delete(partition)) managed.table.revoked.add(partition);
          await managed.store.closePartition(partition);
        }
      }
      const wanted = [...new Set([...wantActive, ...wantStandby])];
      // Offsets the stores held before the high-water marks were asked: a followed partition keeps
      // applying records meanwhile, so only these may be compared with the marks.
      const before = new Map<number, number | undefined>();
      for (const partition of wanted) {
        let open = managed.open.get(partition);
        if (open === undefined) {
          const coalesceLimit = managed.table.coalescable ? (this.options.changelogBufferSize ?? 0) : 0;
          open = new TablePartition(partition, await managed.store.openPartition(partition), global, coalesceLimit);
          managed.open.set(partition, open);
        }
        // A partition leaving the active set follows the changelog from what its store holds: buffered
        // writes of uncommitted events are dropped, the reader brings back whatever reached the log.
        if (managed.table.partitions.has(partition) && !wantActive.has(partition)) open.discardPending();
        before.set(partition, open.store.persistedOffset());
      }
      const high = await this.changelogEnds(topic, before);
      // From here to the end of the loop nothing awaits: no changelog record is applied between
      // reading a store's offset and registering its recovery target.
      for (const partition of wanted) {
        const open = managed.open.get(partition) as TablePartition;
        const until = high.get(partition) ?? 0;
        const earlier = before.get(partition);
        if (earlier !== undefined && earlier >= until) {
          throw new FaustgenError('FG_STORE_OFFSET_AHEAD', `table "${managed.table.name}" partition ${partition}: the local store reflects changelog offset ${earlier} but "${topic}" ends at ${until - 1}; the topic was deleted or recreated. Run \`faustgen reset\` to drop local table state, then restart`, {
            details: { table: managed.table.name, topic, partition, persisted: earlier, highWater: until },
          });
        }
        const persisted = open.store.persistedOffset();
        const from = persisted === undefined ? 0 : persisted + 1;
        // A partition whose recovery was interrupted is not current yet: it resumes like a new one.
        const wasActive = managed.table.partitions.has(partition) && !this.incomplete.delete(`${topic}:${partition}`);
        const following = global || (wantStandby.has(partition) && !wantActive.has(partition));
        if (wantActive.has(partition)) {
          managed.table.revoked.delete(partition);
          const warm = managed.standbys.delete(partition) || global;
          managed.table.partitions.set(partition, open);
          // An active partition kept across a rebalance is current (store + write buffer): its own
          // changelog records must not be replayed under its buffer.
          if (!wasActive || global) {
            if (from < until) {
              const target: RecoveryTarget = { table: managed, partition, until, from, warm, applied: from - 1, replayed: 0 };
              targets.push(target);
              this.recovering.set(`${topic}:${partition}`, target);
            } else if (!wasActive) {
              this.recovered({ table: managed.table.name, partition, from, until, replayed: 0, warm });
            }
          }
        } else {
          managed.standbys.add(partition);
          if (managed.table.partitions.delete(partition)) managed.table.revoked.add(partition);
        }
        const recovering = this.recovering.has(`${topic}:${partition}`);
        if (following || recovering) {
          // A partition the reader already follows is positioned right after what the store holds;
          // seeking it again would replay records that are in flight twice.
          if (!managed.reading.has(partition)) {
            managed.reading.add(partition);
            toRead.push({ topic, partition, offset: from });
          }
        } else {
          // Kept active and caught up (e.g. a standby that had everything): its own writes must not
          // come back through the reader and overwrite newer buffered values once flushed.
          this.stopReading(managed, partition);
        }
      }
    }
    const total = targets.reduce((sum, t) => sum + (t.until - t.from), 0);
    this.recoveryLog.plan(total, started);
    // One call for every new position: the Kafka reader restarts its consumer once, not per partition.
    if (toRead.length > 0) this.reader.assign(toRead);
    if (targets.length === 0) return true;
    this.recoveryLog.begin(targets.length);
    try {
      await new Promise<void>((resolve) => {
        this.recoveryDone = resolve;
        this.checkRecoveryDone();
      });
    } finally {
      this.recoveryLog.end();
    }
    if (this.interrupted) {
      this.log.info('recovery interrupted by a rebalance; it resumes from the stored offsets', { partitions: this.incomplete.size });
      return false;
    }
    this.recoveryLog.finished();
    return true;
  }

  /** Current recovery figures, for logs and health checks. */
  progress(): RecoveryProgress[] {
    return [...this.recovering.values()].map((t) => ({
      table: t.table.table.name,
      partition: t.partition,
      replayed: t.replayed,
      remaining: Math.max(0, t.until - 1 - t.applied),
    }));
  }

  async stop(): Promise<void> {
    // A successful commit moved its writes into the stores already; what is still buffered belongs to
    // events no commit took (with exactly-once, to a transaction the stop aborts). In the store it
    // would claim a changelog offset the committed log lacks and count those events twice once they
    // are processed again, so it is dropped.
    for (const managed of this.tables.values()) for (const partition of managed.open.values()) partition.discardPending();
    await this.reader.stop().catch((error: unknown) => this.log.warn('changelog reader stop failed', { error: describeError(error) }));
    for (const managed of this.tables.values()) {
      for (const partition of managed.open.values()) await partition.store.flush();
      managed.open.clear();
      managed.reading.clear();
      managed.standbys.clear();
      managed.table.partitions.clear();
      await managed.store.close();
    }
  }

  /**
   * These partitions stopped being this worker's (revoked, or this member lost its group membership
   * and someone else may have written them meanwhile): their buffered writes are dropped and, if they
   * come back, they are recovered from the store's offset like any new partition.
   */
  release(partitions: readonly TopicPartition[]): void {
    for (const tp of partitions) {
      const managed = this.byTopic.get(tp.topic);
      if (managed === undefined || managed.table.definition.kind === 'global') continue;
      const open = managed.table.partitions.get(tp.partition);
      if (open === undefined) continue;
      open.discardPending();
      managed.table.partitions.delete(tp.partition);
      managed.table.revoked.add(tp.partition);
    }
  }

  private stopReading(managed: ManagedTable, partition: number): void {
    if (!managed.reading.delete(partition)) return;
    this.reader.unassign([{ topic: managed.table.changelogTopic, partition }]);
  }

  private recovered(recovery: PartitionRecovery): void {
    this.recoveries.push(recovery);
    this.recoveryLog.partitionRecovered(recovery);
  }

  private async onChangelogRecords(records: readonly ConsumedRecord[]): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    const managed = this.byTopic.get(first.topic);
    const open = managed?.open.get(first.partition);
    // Records of a partition no longer read (a batch fetched before the unassign) are dropped.
    if (managed === undefined || open === undefined || !managed.reading.has(first.partition)) return;
    const writes: StoreWrite[] = [];
    // Keys another writer spelled differently (Faust's JSON) are stored as this table encodes them.
    const canonical = managed.table.definition.keyCodec.canonical;
    for (const record of records) {
      if (record.key !== null) writes.push({ key: canonical === undefined ? record.key : canonical(record.key), value: record.value });
    }
    const last = records[records.length - 1] as ConsumedRecord;
    open.applyChangelog(writes, last.offset);
    const name = managed.table.name;
    this.replayed.set(name, (this.replayed.get(name) ?? 0) + records.length);
    const target = this.recovering.get(`${first.topic}:${first.partition}`);
    if (target !== undefined) {
      target.replayed += records.length;
      this.advanceRecovery(managed, target, last.offset);
    }
  }

  /** The reader passed `offset` of a changelog (possibly a transaction marker no record shows). */
  private onChangelogPassed(position: TopicPartitionOffset): void {
    const managed = this.byTopic.get(position.topic);
    const target = this.recovering.get(`${position.topic}:${position.partition}`);
    if (managed === undefined || target === undefined || !managed.reading.has(position.partition)) return;
    this.advanceRecovery(managed, target, position.offset);
  }

  private advanceRecovery(managed: ManagedTable, target: RecoveryTarget, offset: number): void {
    if (offset > target.applied) target.applied = offset;
    this.recoveryLog.applied();
    if (target.applied < target.until - 1) return;
    const { partition } = target;
    this.recovering.delete(`${managed.table.changelogTopic}:${partition}`);
    this.recovered({ table: managed.table.name, partition, from: target.from, until: target.until, replayed: target.replayed, warm: target.warm });
    const isFollowing = managed.standbys.has(partition) || managed.table.definition.kind === 'global';
    if (!isFollowing) this.stopReading(managed, partition);
    this.checkRecoveryDone();
  }

  private checkRecoveryDone(): void {
    if (this.recovering.size === 0 && this.recoveryDone !== undefined) {
      const done = this.recoveryDone;
      this.recoveryDone = undefined;
      done();
    }
  }
}
