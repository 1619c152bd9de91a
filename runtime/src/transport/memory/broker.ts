import { FaustgenError } from '../../core/errors.js';
import type { TopicDescription } from '../../types/transport.js';
import { GroupCoordinator } from './group-coordinator.js';
import { PartitionLog } from './partition-log.js';

export interface MemoryTopic {
  readonly name: string;
  readonly partitions: readonly PartitionLog[];
  readonly config: Readonly<Record<string, string>>;
}

/**
 * The embedded broker: topics made of partition logs, plus one coordinator per consumer group.
 * Everything lives in this process; several transports (apps) that name the same broker share it,
 * which is how a second app instance sees the first one's changelogs.
 */
export class MemoryBroker {
  readonly name: string;
  private readonly topics = new Map<string, MemoryTopic>();
  private readonly groups = new Map<string, GroupCoordinator>();
  private memberSequence = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Creates the topic if missing; an existing topic keeps its partition count (like Kafka). */
  createTopic(name: string, partitions: number, config: Readonly<Record<string, string>> = {}): MemoryTopic {
    const existing = this.topics.get(name);
    if (existing !== undefined) return existing;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new FaustgenError('FG_SETTING_INVALID', `topic "${name}" needs a positive whole number of partitions, got ${partitions}`, {
        details: { topic: name, partitions },
      });
    }
    const topic: MemoryTopic = {
      name,
      partitions: Array.from({ length: partitions }, (_, p) => new PartitionLog(name, p)),
      config: { ...config },
    };
    this.topics.set(name, topic);
    // Kafka rebalances a group when a subscribed topic appears; so do we.
    for (const group of this.groups.values()) group.onTopicsChanged(name);
    return topic;
  }

  deleteTopic(name: string): void {
    if (!this.topics.delete(name)) return;
    for (const group of this.groups.values()) group.onTopicsChanged(name);
  }

  topic(name: string): MemoryTopic | undefined {
    return this.topics.get(name);
  }

  describe(name: string): TopicDescription | undefined {
    const topic = this.topics.get(name);
    return topic === undefined ? undefined : { name, partitions: topic.partitions.length };
  }

  topicNames(): string[] {
    return [...this.topics.keys()].sort();
  }

  /** The log of one partition, or a FG_TOPIC_MISSING error naming what is missing. */
  log(topic: string, partition: number): PartitionLog {
    const found = this.topics.get(topic);
    if (found === undefined) {
      throw new FaustgenError('FG_TOPIC_MISSING', `topic "${topic}" does not exist on memory broker "${this.name}"`, {
        details: { topic, broker: this.name },
      });
    }
    const log = found.partitions[partition];
    if (log === undefined) {
      throw new FaustgenError(
        'FG_TOPIC_MISSING',
        `topic "${topic}" has ${found.partitions.length} partitions, partition ${partition} does not exist`,
        { details: { topic, partition, partitions: found.partitions.length, broker: this.name } },
      );
    }
    return log;
  }

  group(groupId: string): GroupCoordinator {
    let group = this.groups.get(groupId);
    if (group === undefined) this.groups.set(groupId, (group = new GroupCoordinator(groupId, this)));
    return group;
  }

  /** Zero-padded so that member ids sort in join order, which keeps assignments reproducible. */
  nextMemberId(groupId: string): string {
    this.memberSequence++;
    return `${groupId}-member-${String(this.memberSequence).padStart(6, '0')}`;
  }
}
