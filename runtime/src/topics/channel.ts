import type { Headers } from '../types/transport.js';

/** An in-memory channel: values pass to the subscribed agents without serialization or a broker. */
export interface ChannelSubscriber<K, V> {
  deliver(message: { key: K | undefined; value: V; headers: Headers; offset: number; timestamp: number }): Promise<void>;
}

export class Channel<K, V> {
  private readonly subscribers: ChannelSubscriber<K, V>[] = [];
  private sequence = 0;

  constructor(readonly name: string, private readonly now: () => number) {}

  /** @internal */
  subscribe(subscriber: ChannelSubscriber<K, V>): void {
    this.subscribers.push(subscriber);
  }

  /** Resolves once every subscribed agent has the value queued (it waits while their buffers are full). */
  async send(message: { key?: K; value: V; headers?: Headers }): Promise<void> {
    const offset = this.sequence++;
    const timestamp = this.now();
    await Promise.all(
      this.subscribers.map((subscriber) =>
        subscriber.deliver({ key: message.key, value: message.value, headers: message.headers ?? {}, offset, timestamp }),
      ),
    );
  }
}
