import type { DeliveryListener, RecordMetadata } from '../types/transport.js';

/**
 * Bounds the records handed to the producer and not yet acknowledged (at-least-once). Without it a
 * consumer that reads faster than the broker acknowledges keeps queueing changelog writes and sends
 * in the producer: memory grows with the backlog, the garbage collector's share with it, and a stop
 * waits for the whole queue. The conductor asks `room()` before it hands out each record and waits
 * when the window is full, until it drained to half (one wait per half window, not one per record).
 *
 * Records are counted when they reach the producer, not while an OutputHold keeps them: held
 * outputs are released by the next assignment, which must never wait for a delivery.
 */
export class OutputWindow {
  private inFlight = 0;
  private highest = 0;
  private waiting: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  /** One counting wrapper per listener (listeners are long-lived): no allocation per record. */
  private readonly wrappers = new WeakMap<DeliveryListener<never>, DeliveryListener<never>>();

  constructor(readonly limit: number) {}

  /** Records handed to the producer and not yet acknowledged or failed. */
  get size(): number {
    return this.inFlight;
  }

  /** The most records that were in flight at once (tests and benchmarks read it). */
  get peak(): number {
    return this.highest;
  }

  /**
   * A record goes to the producer now, told to `listener`: returns the listener to hand to the
   * producer instead, which frees the record's slot before passing its outcome on.
   */
  take<T>(listener: DeliveryListener<T>): DeliveryListener<T> {
    this.inFlight++;
    if (this.inFlight > this.highest) this.highest = this.inFlight;
    let wrapper = this.wrappers.get(listener as DeliveryListener<never>) as DeliveryListener<T> | undefined;
    if (wrapper === undefined) {
      wrapper = {
        delivered: (tag: T, metadata: RecordMetadata) => {
          this.free();
          listener.delivered(tag, metadata);
        },
        failed: (tag: T, error: Error) => {
          this.free();
          listener.failed(tag, error);
        },
      };
      this.wrappers.set(listener as DeliveryListener<never>, wrapper as DeliveryListener<never>);
    }
    return wrapper;
  }

  /** Undefined while there is room; else resolves once the records in flight fell to half the limit. */
  room(): Promise<void> | undefined {
    if (this.inFlight < this.limit) return undefined;
    if (this.waiting === undefined) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiting = { promise, resolve };
    }
    return this.waiting.promise;
  }

  private free(): void {
    this.inFlight--;
    if (this.waiting !== undefined && this.inFlight <= this.limit / 2) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve();
    }
  }
}
