/** What poll() returns when nothing is buffered: the caller waits with take(). */
export const NOT_READY: unique symbol = Symbol('faustgen.notReady');

/**
 * A bounded FIFO between the consumer and the actors of one agent. `put` waits while the queue is
 * full, which holds back the consumer's delivery of that partition (back-pressure); `close` makes
 * waiting readers return done, dropping what was buffered but never started (it stays uncommitted
 * and is read again after a restart or rebalance).
 */
export class AsyncQueue<T> {
  private items: T[] = [];
  private head = 0;
  private readers: ((value: T | undefined) => void)[] = [];
  private writers: (() => void)[] = [];
  private closed = false;

  /**
   * A full queue lets its writers go on only once it drained to here, so a producer that outpaces
   * the readers resumes once per half a queue rather than once per item.
   */
  private readonly resumeAt: number;

  constructor(private readonly capacity: number) {
    this.resumeAt = Math.floor(capacity / 2);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds an item; returns true at once when there is room (the common case, so the consumer's loop
   * allocates no promise per record), or a promise that resolves once there is.
   */
  put(item: T): boolean | Promise<boolean> {
    if (this.closed) return false;
    const reader = this.readers.shift();
    if (reader !== undefined) {
      reader(item);
      return true;
    }
    if (this.size < this.capacity) {
      this.items.push(item);
      return true;
    }
    return this.putWhenRoom(item);
  }

  private async putWhenRoom(item: T): Promise<boolean> {
    while (!this.closed && this.size >= this.capacity && this.readers.length === 0) {
      await new Promise<void>((resolve) => this.writers.push(resolve));
    }
    if (this.closed) return false;
    return this.put(item) as boolean;
  }

  /** Resolves with the next item, or undefined once closed. */
  take(): Promise<T | undefined> {
    const ready = this.poll();
    if (ready !== NOT_READY) return Promise.resolve(ready);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** The next item if one is buffered, undefined once closed, else NOT_READY (without waiting). */
  poll(): T | undefined | typeof NOT_READY {
    if (this.size > 0) {
      const item = this.items[this.head] as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (this.writers.length > 0 && this.size <= this.resumeAt) this.wakeWriters();
      return item;
    }
    return this.closed ? undefined : NOT_READY;
  }

  /** Removes buffered items that match, e.g. events of a revoked partition. */
  drop(predicate: (item: T) => boolean): T[] {
    const kept: T[] = [];
    const dropped: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i] as T;
      (predicate(item) ? dropped : kept).push(item);
    }
    this.items = kept;
    this.head = 0;
    if (this.size <= this.resumeAt) this.wakeWriters();
    return dropped;
  }

  private wakeWriters(): void {
    for (const writer of this.writers.splice(0)) writer();
  }

  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
    for (const reader of this.readers.splice(0)) reader(undefined);
    for (const writer of this.writers.splice(0)) writer();
  }
}
