import type { Agent } from '../agents/agent.js';
import { partitionKeyOf } from '../core/partition-key.js';
import type { Topic } from '../topics/topic.js';
import type { TopicPartition } from '../types/transport.js';

export interface Subscriber {
  readonly agent: Agent<unknown, unknown, unknown>;
  readonly topic: Topic<unknown, unknown>;
}

const none: readonly Subscriber[] = [];

/** Which agents read which topic, and what they still buffer of a partition. */
export class Subscriptions {
  private readonly byTopic = new Map<string, Subscriber[]>();

  add(subscriber: Subscriber): void {
    const list = this.byTopic.get(subscriber.topic.name) ?? [];
    list.push(subscriber);
    this.byTopic.set(subscriber.topic.name, list);
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  of(topic: string): readonly Subscriber[] {
    return this.byTopic.get(topic) ?? none;
  }

  /** Drops buffered, unstarted events of these partitions; returns the first dropped offset of each. */
  dropBuffered(partitions: readonly TopicPartition[]): Map<string, number> {
    const byTopic = new Map<string, Set<number>>();
    for (const tp of partitions) {
      const set = byTopic.get(tp.topic) ?? new Set<number>();
      set.add(tp.partition);
      byTopic.set(tp.topic, set);
    }
    const firstDropped = new Map<string, number>();
    for (const [topic, set] of byTopic) {
      for (const subscriber of this.of(topic)) {
        for (const event of subscriber.agent.dropPartitions(topic, set)) {
          const key = partitionKeyOf(event.topic, event.partition);
          const known = firstDropped.get(key);
          if (known === undefined || event.offset < known) firstDropped.set(key, event.offset);
        }
      }
    }
    return firstDropped;
  }
}
