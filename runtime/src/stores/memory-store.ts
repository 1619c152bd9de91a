/**
 * `memory://`: table partitions held in the process heap. Like Faust's memory store, nothing survives
 * the process, so persistedOffset() starts undefined and recovery replays the whole changelog. Data
 * does survive closePartition() within one TableStore, so a partition revoked and reassigned to the
 * same worker is not rebuilt.
 *
 * Keys are indexed by their latin1 string: one char per byte, so JavaScript's code-unit string order
 * is exactly the key byte order that entries() must follow. The sorted key list is rebuilt lazily,
 * only after an insert or delete, not after an overwrite.
 */
import type { PartitionStore, StoreDriver, StoreFactoryOptions, StoreWrite, TableStore } from '../types/store.js';
import { OpenPartitions } from './open-partitions.js';
import { storeClosedError } from './store-errors.js';

interface MemoryPartitionState {
  readonly entries: Map<string, readonly [Buffer, Buffer]>;
  sortedIds: string[] | undefined;
  offset: number | undefined;
}

function newState(): MemoryPartitionState {
  return { entries: new Map(), sortedIds: undefined, offset: undefined };
}

/** Index of the first id >= target. */
function lowerBound(ids: readonly string[], target: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ids[middle] as string) < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class MemoryPartitionStore implements PartitionStore {
  private closed = false;

  constructor(
    readonly partition: number,
    private readonly state: MemoryPartitionState,
    private readonly label: string,
    private readonly onClose: (store: MemoryPartitionStore) => void = () => {},
  ) {}

  get(key: Buffer, id = key.toString('latin1')): Buffer | undefined {
    this.assertOpen('read');
    return this.state.entries.get(id)?.[1];
  }

  /** The store keeps the value Buffers it is given; callers must not modify them afterwards. */
  applyBatch(writes: readonly StoreWrite[], changelogOffset: number | undefined): void {
    this.assertOpen('write');
    const { entries } = this.state;
    for (const { key, value } of writes) {
      const id = key.toString('latin1');
      if (value === null) {
        if (entries.delete(id)) this.state.sortedIds = undefined;
        continue;
      }
      const existing = entries.get(id);
      if (existing === undefined) {
        // Copy the key: it is our index and the caller may reuse its buffer.
        entries.set(id, [Buffer.from(key), value]);
        this.state.sortedIds = undefined;
      } else {
        entries.set(id, [existing[0], value]);
      }
    }
    if (changelogOffset !== undefined) this.state.offset = changelogOffset;
  }

  persistedOffset(): number | undefined {
    this.assertOpen('read the offset of');
    return this.state.offset;
  }

  *entries(range?: { readonly gte?: Buffer; readonly lt?: Buffer }): IterableIterator<[Buffer, Buffer]> {
    this.assertOpen('iterate');
    const ids = this.sortedIds();
    const end = range?.lt?.toString('latin1');
    let index = range?.gte === undefined ? 0 : lowerBound(ids, range.gte.toString('latin1'));
    for (; index < ids.length; index++) {
      const id = ids[index] as string;
      if (end !== undefined && id >= end) return;
      this.assertOpen('iterate');
      // Looked up again so that writes made during iteration are seen, as with a Map.
      const entry = this.state.entries.get(id);
      if (entry !== undefined) yield [entry[0], entry[1]];
    }
  }

  size(): number {
    this.assertOpen('count');
    return this.state.entries.size;
  }

  clear(): void {
    this.assertOpen('clear');
    this.state.entries.clear();
    this.state.sortedIds = undefined;
    this.state.offset = undefined;
  }

  async flush(): Promise<void> {
    this.assertOpen('flush');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }

  private sortedIds(): readonly string[] {
    this.state.sortedIds ??= [...this.state.entries.keys()].sort();
    return this.state.sortedIds;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw storeClosedError(`${this.label} partition ${this.partition}`, operation);
  }
}

export class MemoryTableStore implements TableStore {
  private readonly states = new Map<number, MemoryPartitionState>();
  private readonly partitions: OpenPartitions<MemoryPartitionStore>;

  constructor(private readonly label: string) {
    this.partitions = new OpenPartitions(label);
  }

  openPartition(partition: number): Promise<PartitionStore> {
    return this.partitions.open(partition, async () => {
      let state = this.states.get(partition);
      if (state === undefined) {
        state = newState();
        this.states.set(partition, state);
      }
      return new MemoryPartitionStore(partition, state, this.label, (store) => this.partitions.forget(partition, store));
    });
  }

  closePartition(partition: number): Promise<void> {
    return this.partitions.close(partition);
  }

  async close(): Promise<void> {
    await this.partitions.closeAll();
    this.states.clear();
  }
}

export const memoryStoreDriver: StoreDriver = {
  scheme: 'memory',
  async open(_url: URL, options: StoreFactoryOptions): Promise<TableStore> {
    return new MemoryTableStore(`memory store of table "${options.table}"`);
  },
};
