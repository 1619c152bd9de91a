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

  constructor(private readonly capacity: number) {}

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
    if (this.size > 0) {
      const item = this.items[this.head] as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.writers.shift()?.();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.readers.push(resolve));
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
    while (this.writers.length > 0 && this.size < this.capacity) this.writers.shift()?.();
    return dropped;
  }

  close(): void {
    this.closed = true;
    this.items = [];
    this.head = 0;
    for (const reader of this.readers.splice(0)) reader(undefined);
    for (const writer of this.writers.splice(0)) writer();
  }
}
