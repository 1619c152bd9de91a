import type { Clock } from '../core/clock.js';
import { errorOrigin } from '../core/error-stack.js';
import { FaustgenError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { trackedEvent } from '../streams/current.js';
import type { Event } from '../streams/event.js';
import type { Codec } from '../types/codec.js';
import { currentRange, rangesFor, windowLength, type WindowRange, type WindowSpec } from '../windows/window.js';
import type { Table } from './table.js';

/** Which time a windowed read or update is relative to. */
export type RelativeTo = 'stream' | 'now' | ((event: Event<unknown, unknown>) => number);

export type WindowCloseHandler<K, V> = (key: K, window: WindowRange, value: V) => unknown;

export interface WindowedTableOptions<K, V> {
  readonly spec: WindowSpec;
  readonly keyCodec: Codec<K>;
  readonly defaultValue: (() => V) | undefined;
  readonly relativeTo: RelativeTo;
  readonly onWindowClose: WindowCloseHandler<K, V> | undefined;
}

// Window start first, biased so that negative starts sort before positive ones, then the key: store
// order is window order, so expiry reads only the expired prefix.
const BIAS = 2n ** 63n;
function composite(start: number, key: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + key.length);
  out.writeBigUInt64BE(BigInt(start) + BIAS, 0);
  key.copy(out, 8);
  return out;
}
function split(bytes: Buffer): { start: number; key: Buffer } {
  return { start: Number(bytes.readBigUInt64BE(0) - BIAS), key: bytes.subarray(8) };
}

/**
 * A table of per-window values. Updates apply to every window containing the event's time; reads
 * pick the window for the event (`current`), for the clock (`now`), for a time `delta` back, or for
 * any timestamp (`at`). Windows older than their expiry are closed — the close callback fires once
 * per window and key, even for a window that saw a single event — and deleted from the store and
 * changelog.
 */
export class WindowedTable<K, V, G extends V | undefined = V | undefined> {
  /** Highest event time seen per partition: windows close by event time as well as by the clock. */
  private readonly streamTime = new Map<number, number>();
  /** Windows closed since start, for metrics and tests. */
  closed = 0;

  constructor(
    readonly table: Table<Buffer, V, V | undefined>,
    private readonly options: WindowedTableOptions<K, V>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    // A window's stored key is its start then the key: the key alone decides the partition.
    table.placementKeyOf = (stored) => split(stored).key;
  }

  get name(): string {
    return this.table.name;
  }

  get spec(): WindowSpec {
    return this.options.spec;
  }

  /** Applies `fn` to the value of every window containing the relative time; returns the newest. */
  update(key: K, fn: (current: G) => V): V {
    const time = this.relativeTime();
    const encoded = this.options.keyCodec.encode(key);
    let last: V | undefined;
    for (const range of rangesFor(this.options.spec, time)) {
      const id = composite(range.start, encoded);
      last = fn(this.read(id));
      this.table.set(id, last);
    }
    return last as V;
  }

  set(key: K, value: V): void {
    const encoded = this.options.keyCodec.encode(key);
    for (const range of rangesFor(this.options.spec, this.relativeTime())) this.table.set(composite(range.start, encoded), value);
  }

  /** Value of the newest window containing the relative time (the current event's, by default). */
  current(key: K): G {
    return this.at(key, this.relativeTime());
  }

  /** Value of the newest window containing the app clock's now. */
  now(key: K): G {
    return this.at(key, this.clock.now());
  }

  /** Value of the window `ms` before the relative time. */
  delta(key: K, ms: number): G {
    return this.at(key, this.relativeTime() - ms);
  }

  at(key: K, timestamp: number): G {
    return this.read(composite(currentRange(this.options.spec, timestamp).start, this.options.keyCodec.encode(key)));
  }

  /** Every window containing `timestamp` with its value, oldest first. */
  windows(key: K, timestamp: number = this.relativeTime()): { range: WindowRange; value: G }[] {
    const encoded = this.options.keyCodec.encode(key);
    return rangesFor(this.options.spec, timestamp).map((range) => ({ range, value: this.read(composite(range.start, encoded)) }));
  }

  /**
   * Closes and deletes the windows that expired by the later of the clock and each partition's event
   * time. Deletion goes through the changelog, so a closed window is never closed again, also after
   * a restart. Returns the number of windows closed.
   */
  expire(): number {
    const length = windowLength(this.options.spec);
    const expires = this.options.spec.expiresMs;
    let count = 0;
    for (const [partition, store] of this.table.partitions) {
      const closingTime = Math.max(this.clock.now(), this.streamTime.get(partition) ?? Number.NEGATIVE_INFINITY);
      // A window [start, start + length) is closed once closingTime ≥ start + length + expires.
      const limit = composite(Math.floor(closingTime - length - expires) + 1, Buffer.alloc(0));
      const expired = [...store.entriesBefore(limit)];
      for (const [id, bytes] of expired) {
        if (bytes === null) continue;
        const { start, key } = split(id);
        if (this.options.onWindowClose !== undefined) {
          try {
            const value = this.table.definition.valueCodec.decode(bytes);
            const result = this.options.onWindowClose(this.options.keyCodec.decode(key), { start, end: start + length }, value);
            if (result instanceof Promise) result.catch((error: unknown) => this.log.error('window close callback failed', { table: this.name, start, error: describeError(error), ...errorOrigin(error) }));
          } catch (error) {
            this.log.error('window close callback failed', { table: this.name, start, error: describeError(error), ...errorOrigin(error) });
          }
        }
        this.table.writeEncoded(partition, id, null);
        count++;
      }
    }
    this.closed += count;
    return count;
  }

  private read(id: Buffer): G {
    const value = this.table.get(id);
    if (value !== undefined) return value as G;
    return (this.options.defaultValue === undefined ? undefined : this.options.defaultValue()) as G;
  }

  private relativeTime(): number {
    const relative = this.options.relativeTo;
    if (relative === 'now') return this.clock.now();
    const event = trackedEvent();
    if (event === undefined) {
      throw new FaustgenError('FG_TABLE_CONTEXT', `windowed table "${this.name}" is relative to the stream but was used outside stream processing: use now()/at(), or relativeTo: 'now'`, { details: { table: this.name } });
    }
    const time = relative === 'stream' ? event.timestamp : relative(event);
    const seen = this.streamTime.get(event.partition);
    if (seen === undefined || time > seen) this.streamTime.set(event.partition, time);
    return time;
  }
}
