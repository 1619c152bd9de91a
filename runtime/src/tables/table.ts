import { FaustgenError } from '../core/errors.js';
import { actorStorage, trackedEvent } from '../streams/current.js';
import { partitionForKey } from '../transport/partitioner.js';
import type { Event } from '../streams/event.js';
import type { Codec } from '../types/codec.js';
import type { DeliveryListener, RecordMetadata } from '../types/transport.js';
import { checkKeyPlacement } from './key-placement.js';
import type { ChangelogAckTag, TablePartition } from './table-partition.js';

export type TableKind = 'table' | 'global';

export interface TableDefinition<K, V> {
  readonly name: string;
  readonly changelogTopic: string;
  readonly keyCodec: Codec<K>;
  readonly valueCodec: Codec<V>;
  readonly partitions: number | undefined;
  readonly kind: TableKind;
  readonly defaultValue: (() => V) | undefined;
  /** Writes outside stream processing go to the partition murmur2 gives for the key. */
  readonly usePartitioner: boolean;
  readonly config: Readonly<Record<string, string>>;
}

/** What a table needs from the app. */
export interface TableHost {
  sendChangelog(topic: string, partition: number | undefined, key: Buffer, value: Buffer | null): Promise<RecordMetadata>;
  /**
   * Sends a coalesced changelog record on behalf of `origin`, the event whose processing wrote the
   * value last (routed like that event's outputs); `listener` hears the outcome with `tag`.
   * `windowed` false: the commit's whole buffer, which the output window does not count (OutputRouter.produceFrom).
   */
  sendChangelogFrom<T>(topic: string, partition: number, key: Buffer, value: Buffer | null, origin: Event<unknown, unknown>, listener: DeliveryListener<T>, tag: T, windowed: boolean): void;
  reportSendError(topic: string, error: unknown): void;
  partitionCount(topic: string): number | undefined;
  /** Told of each get, set and delete (the sensors count them). */
  onOperation?(table: string, operation: 'get' | 'set' | 'delete'): void;
}

/**
 * A dictionary-like table whose every write is also sent to its changelog topic on the partition of
 * the event being processed (tables are co-partitioned with their agent's source), so that any
 * worker taking over that partition can rebuild it. Reads and writes are synchronous.
 */
export class Table<K, V, G extends V | undefined = V | undefined> {
  /** Active partitions held by this worker (for a global table: all partitions). */
  readonly partitions = new Map<number, TablePartition>();
  /** Partitions that moved to another worker: a handler still finishing one of their events is told so. */
  readonly revoked = new Set<number>();

  constructor(readonly definition: TableDefinition<K, V>, private readonly host: TableHost) {
    this.placementKeyOf = definition.keyCodec.placementKey?.bind(definition.keyCodec);
  }

  /** Whether this table's partitions may coalesce changelog writes (not global or partitioner-placed ones). */
  get coalescable(): boolean {
    return this.definition.kind === 'table' && !this.definition.usePartitioner;
  }

  /** Sends every coalesced changelog write of the active partitions (at commit). */
  sendBuffered(): number {
    let sent = 0;
    for (const partition of this.partitions.values()) sent += this.sendUnsent(partition, false);
    return sent;
  }

  /** Outcomes of coalesced changelog records, tagged with their partition: no closure per record. */
  private readonly bufferedAcks: DeliveryListener<ChangelogAckTag> = {
    delivered: (tag, metadata) => tag.partition.changelogAckedFor(tag, metadata.offset),
    failed: (_, error) => this.host.reportSendError(this.changelogTopic, error),
  };

  /** `windowed` false only for the commit's send of the whole buffer (see TableHost.sendChangelogFrom). */
  private sendUnsent(partition: TablePartition, windowed = true): number {
    if (!partition.hasUnsent()) return 0;
    return partition.sendUnsent((key, value, origin) => this.host.sendChangelogFrom(this.changelogTopic, partition.partition, key, value, origin, this.bufferedAcks, partition.ackTag, windowed));
  }

  get name(): string {
    return this.definition.name;
  }

  get changelogTopic(): string {
    return this.definition.changelogTopic;
  }

  /** The value, or the default when the key is missing (the default is not stored, as in Faust). */
  get(key: K): G {
    this.host.onOperation?.(this.definition.name, 'get');
    const bytes = this.lookup(this.encodeKey(key));
    if (bytes !== undefined) return this.decodeValue(bytes) as G;
    return (this.definition.defaultValue === undefined ? undefined : this.definition.defaultValue()) as G;
  }

  has(key: K): boolean {
    return this.lookup(this.encodeKey(key)) !== undefined;
  }

  set(key: K, value: V): void {
    this.host.onOperation?.(this.definition.name, 'set');
    this.write(this.encodeKey(key), this.definition.valueCodec.encode(value));
  }

  delete(key: K): void {
    this.host.onOperation?.(this.definition.name, 'delete');
    this.write(this.encodeKey(key), null);
  }

  /** Reads, applies `fn` and writes back; returns the new value. */
  update(key: K, fn: (current: G) => V): V {
    const next = fn(this.get(key));
    this.set(key, next);
    return next;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const partition of this.partitions.values()) {
      for (const [key, value] of partition.entries()) yield [this.definition.keyCodec.decode(key), this.decodeValue(value)];
    }
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  get size(): number {
    let count = 0;
    for (const partition of this.partitions.values()) for (const _ of partition.entries()) count++;
    return count;
  }

  /** Writes or deletes (`value` null) an encoded key in a given partition, outside stream context. */
  writeEncoded(partition: number, key: Buffer, value: Buffer | null): void {
    const local = this.partitions.get(partition);
    // Coalesced values of the partition go first: this record must not be overtaken by an older one.
    if (local !== undefined) this.sendUnsent(local);
    this.sendChangelog(partition, key, value, local?.write(key, value));
  }

  /** The partition a key lives in when written with the partitioner (for routing and global tables). */
  partitionOfKey(key: K): number | undefined {
    const count = this.host.partitionCount(this.changelogTopic);
    if (count === undefined) return undefined;
    const encoded = this.encodeKey(key);
    // Without the partitioner a key lives where its events are: on the partition of its message key.
    const placement = this.definition.usePartitioner ? undefined : this.definition.keyCodec.placementKey;
    return partitionForKey(placement === undefined ? encoded : placement(encoded), count);
  }

  /**
   * The encoded key. A handler reads a key and then writes it (`t.set(k, t.get(k) + 1)`): the last
   * string or number key and its bytes are kept, so the pair encodes once. Object keys are always
   * encoded (the caller may have changed the object in between).
   */
  private encodeKey(key: K): Buffer {
    if (key === this.lastKey && this.lastEncoded !== undefined) return this.lastEncoded;
    const encoded = this.definition.keyCodec.encode(key);
    if (typeof key === 'string' || typeof key === 'number') {
      this.lastKey = key;
      this.lastEncoded = encoded;
      this.lastId = undefined;
    }
    return encoded;
  }

  private lastKey: unknown = undefined;
  private lastEncoded: Buffer | undefined;
  /** The last encoded key as a latin1 string (the id of write buffers and caches), made once. */
  private lastId: string | undefined;
  /** The last key (bytes object) and event partition whose placement was checked. */
  private placedKey: Buffer | undefined;
  private placedPartition = -1;

  private idOf(key: Buffer): string {
    if (key !== this.lastEncoded) return key.toString('latin1');
    return (this.lastId ??= key.toString('latin1'));
  }

  private decodeValue(bytes: Buffer): V {
    try {
      return this.definition.valueCodec.decode(bytes);
    } catch (error) {
      throw new FaustgenError('FG_DECODE', `table "${this.name}": stored value cannot be decoded: ${(error as Error).message}`, { cause: error, details: { table: this.name } });
    }
  }

  private lookup(key: Buffer): Buffer | undefined {
    const event = trackedEvent();
    const home = event === undefined ? undefined : this.partitions.get(event.partition);
    const id = this.idOf(key);
    const found = home?.get(key, id);
    if (found !== undefined) return found;
    if (home !== undefined && this.coalescable) {
      // The write rule (key-placement.ts) puts a key on its event's partition or on its murmur2
      // partition: those are the only places to look, as Faust and Kafka Streams read only the
      // task's own partition. Asking every partition made each new key cost one store read per
      // partition held, and filled the other partitions' read caches with absent keys they never own.
      const owner = this.murmurPartition(key);
      return owner === undefined || owner === home.partition ? undefined : this.partitions.get(owner)?.get(key, id);
    }
    for (const partition of this.partitions.values()) {
      if (partition === home) continue;
      const value = partition.get(key, id);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** The partition murmur2 gives the key's placement bytes; undefined while the partition count is unknown. */
  private murmurPartition(key: Buffer): number | undefined {
    const count = this.host.partitionCount(this.changelogTopic);
    return count === undefined ? undefined : partitionForKey(this.placementKeyOf === undefined ? key : this.placementKeyOf(key), count);
  }

  private targetPartition(key: Buffer, event: Event<unknown, unknown> | undefined): number {
    if (event !== undefined && !this.definition.usePartitioner) return event.partition;
    const count = this.host.partitionCount(this.changelogTopic);
    if (this.definition.usePartitioner && count !== undefined) return partitionForKey(key, count);
    throw new FaustgenError('FG_TABLE_CONTEXT', `table "${this.name}" was written outside of stream processing: write from an agent, or create the table with usePartitioner: true`, {
      details: { table: this.name },
    });
  }

  /**
   * The bytes that decide a stored key's partition (windowed tables store window start + key and
   * set this to take the key back out); undefined: the stored key itself.
   */
  placementKeyOf: ((stored: Buffer) => Buffer) | undefined;

  private write(key: Buffer, value: Buffer | null): void {
    const event = trackedEvent();
    if (event !== undefined && this.definition.kind !== 'global' && !this.definition.usePartitioner && (key !== this.placedKey || event.partition !== this.placedPartition)) {
      const placement = this.placementKeyOf === undefined ? key : this.placementKeyOf(key);
      const partitions = this.host.partitionCount(this.changelogTopic);
      checkKeyPlacement(this.name, placement, event, partitions, actorStorage.getStore()?.agent);
      // Passed by murmur2, the answer holds for every event of the partition: the next write of the
      // same key bytes (a read-then-write keeps them) skips the hash. A pass because the key is this
      // event's own says nothing about the next event.
      if (partitions !== undefined && event.rawKey?.equals(placement) !== true) {
        this.placedKey = key;
        this.placedPartition = event.partition;
      }
    }
    const partition = this.targetPartition(key, event);
    const local = this.partitions.get(partition);
    if ((local === undefined && this.revoked.has(partition)) || event?.isStale === true) {
      throw new FaustgenError('FG_PARTITION_REVOKED', `table "${this.name}": partition ${partition} moved to another worker while this event was processed; the new owner processes it again`, {
        retriable: true,
        details: { table: this.name, partition },
      });
    }
    if (local === undefined && this.definition.kind !== 'global' && !this.definition.usePartitioner) {
      throw new FaustgenError('FG_TABLE_CONTEXT', `table "${this.name}": partition ${partition} is not held by this worker; is the table co-partitioned with the agent's source topic (same partition count)?`, {
        details: { table: this.name, partition },
      });
    }
    if (local !== undefined) {
      if (event !== undefined && local.coalesces) {
        if (local.buffer(key, value, event, this.idOf(key))) this.sendUnsent(local);
        return;
      }
      // Coalesced values of the partition go first: this record must not be overtaken by an older one.
      this.sendUnsent(local);
    }
    this.sendChangelog(partition, key, value, local?.write(key, value));
  }

  /**
   * Sends a write to the changelog and tells the partition its offset once acknowledged. One
   * reaction (then with both handlers) rather than then + catch: a promise fewer per write, and
   * `acked` does not throw.
   */
  private sendChangelog(partition: number, key: Buffer, value: Buffer | null, acked: ((offset: number) => void) | undefined): void {
    this.host.sendChangelog(this.changelogTopic, partition, key, value).then(
      (metadata) => acked?.(metadata.offset),
      (error: unknown) => this.host.reportSendError(this.changelogTopic, error),
    );
  }
}
