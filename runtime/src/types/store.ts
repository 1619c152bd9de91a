/**
 * Byte-level stores under the typed tables. A table partition lives in one store partition; the
 * store remembers which changelog offset its contents reflect, so that a restart replays only the
 * changelog's tail. Reads are synchronous so that a table keeps a dictionary-like API.
 */

export interface StoreWrite {
  readonly key: Buffer;
  /** null deletes the key (a changelog tombstone). */
  readonly value: Buffer | null;
}

export interface PartitionStore {
  readonly partition: number;
  /** `id`: the key as a latin1 string when the caller has it already (stores keyed by strings reuse it). */
  get(key: Buffer, id?: string): Buffer | undefined;
  /** Applies writes and records the changelog offset they reflect, atomically. */
  applyBatch(writes: readonly StoreWrite[], changelogOffset: number | undefined): void;
  /** Offset of the last changelog record the contents reflect, or undefined for an empty store. */
  persistedOffset(): number | undefined;
  /** Entries in key byte order. */
  entries(range?: { readonly gte?: Buffer; readonly lt?: Buffer }): IterableIterator<[Buffer, Buffer]>;
  size(): number;
  /** Drops every entry and the persisted offset. */
  clear(): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface TableStore {
  /** Opens (creating when missing) the store of one table partition. */
  openPartition(partition: number): Promise<PartitionStore>;
  /** Closes the partition's store and keeps its data (a standby may pick it up later). */
  closePartition(partition: number): Promise<void>;
  close(): Promise<void>;
}

export interface StoreFactoryOptions {
  readonly appId: string;
  readonly table: string;
  readonly datadir: string;
}

export interface StoreDriver {
  readonly scheme: string;
  open(url: URL, options: StoreFactoryOptions): Promise<TableStore>;
}
