import type { DeliveryListener, RecordMetadata } from '../types/transport.js';

/**
 * Tells a listener its record's outcome. Listeners are the runtime's own bookkeeping and must not
 * throw; one that does is a bug, which is rethrown on its own (an uncaught exception) only after
 * the call returns, so the other records of the same batch are still told theirs.
 */
export function tellDelivered<T>(listener: DeliveryListener<T>, tag: T, metadata: RecordMetadata): void {
  try {
    listener.delivered(tag, metadata);
  } catch (bug) {
    queueMicrotask(() => {
      throw bug;
    });
  }
}

export function tellFailed<T>(listener: DeliveryListener<T>, tag: T, error: Error): void {
  try {
    listener.failed(tag, error);
  } catch (bug) {
    queueMicrotask(() => {
      throw bug;
    });
  }
}

/** A send()'s promise, told through the listener form (Producer.produce). */
export interface Deferred {
  readonly resolve: (metadata: RecordMetadata) => void;
  readonly reject: (error: Error) => void;
}

/** Turns produce() outcomes back into send()'s promise. */
export const settlePromise: DeliveryListener<Deferred> = {
  delivered: (deferred, metadata) => deferred.resolve(metadata),
  failed: (deferred, error) => deferred.reject(error),
};
