/**
 * The bookkeeping every TableStore shares: one open store per partition, concurrent opens of the same
 * partition share one promise (so a rebalance racing a recovery cannot open a RocksDB twice and trip
 * over its own LOCK), and a store that closes itself is forgotten.
 */
import { FaustgenError } from '../core/errors.js';
import type { PartitionStore } from '../types/store.js';

interface Slot<S> {
  readonly opening: Promise<S>;
  store?: S;
}

export class OpenPartitions<S extends PartitionStore> {
  private readonly slots = new Map<number, Slot<S>>();
  private closed = false;

  /** @param owner names the table store in error messages, e.g. `table "counts" (rocksdb)`. */
  constructor(private readonly owner: string) {}

  /** Returns the partition's open store, creating it with `create` when there is none. */
  open(partition: number, create: () => Promise<S>): Promise<S> {
    if (this.closed) {
      return Promise.reject(
        new FaustgenError('FG_APP_STATE', `Cannot open partition ${partition} of ${this.owner}: the table store is closed.`, {
          details: { partition },
        }),
      );
    }
    if (!Number.isInteger(partition) || partition < 0) {
      return Promise.reject(
        new FaustgenError('FG_INTERNAL', `Partition ${String(partition)} of ${this.owner} is not a non-negative integer.`, {
          kind: 'internal',
          details: { partition },
        }),
      );
    }
    const existing = this.slots.get(partition);
    if (existing !== undefined) return existing.opening;

    // A create() that throws synchronously still yields a rejected promise, not an exception here.
    const opening = new Promise<S>((resolve) => resolve(create()));
    const slot: Slot<S> = { opening };
    this.slots.set(partition, slot);
    opening.then(
      (store) => {
        slot.store = store;
      },
      () => {
        if (this.slots.get(partition) === slot) this.slots.delete(partition);
      },
    );
    return opening;
  }

  /** Called by a store that was closed directly, so a later open creates a fresh one. */
  forget(partition: number, store: S): void {
    const slot = this.slots.get(partition);
    if (slot?.store === store) this.slots.delete(partition);
  }

  async close(partition: number): Promise<void> {
    const slot = this.slots.get(partition);
    if (slot === undefined) return;
    this.slots.delete(partition);
    let store: S;
    try {
      store = await slot.opening;
    } catch {
      return; // the open already failed and was reported to whoever awaited it
    }
    await store.close();
  }

  /** Closes every partition; later opens fail. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const results = await Promise.allSettled([...this.slots.keys()].map((partition) => this.close(partition)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }
}
