import { Admin as PlatformaticAdmin, type ClusterMetadata } from '@platformatic/kafka';
import { FaustgenError } from '../../core/errors.js';
import type { Admin, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../../types/transport.js';
import type { KafkaDriverOptions } from '../kafka-options.js';
import { baseOptions, sleep, waitForBrokers } from './client.js';
import { hasProtocolError, isRetriable, wrapPlatformaticError } from './errors.js';
import { retryThroughOutage } from '../outage-retry.js';

const TOPIC_READY_TIMEOUT_MS = 30_000;
const EARLIEST = -2n;
const LATEST = -1n;

/** The Admin on @platformatic/kafka's admin client; the same contract as the kafkajs driver's. */
export class PlatformaticKafkaAdmin implements Admin {
  private admin: PlatformaticAdmin | undefined;

  constructor(private readonly options: KafkaDriverOptions) {}

  async start(): Promise<void> {
    if (this.admin !== undefined) return;
    await waitForBrokers(this.options);
    this.admin = new PlatformaticAdmin(baseOptions(this.options, 'admin'));
  }

  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.close().catch(() => undefined);
  }

  async ensureTopic(spec: TopicSpec): Promise<TopicDescription> {
    const existing = await this.describeTopic(spec.name);
    if (existing !== undefined) return existing;
    const admin = this.connected(`create topic ${spec.name}`);
    const config: Record<string, string> = { ...(spec.config ?? {}) };
    let replicas = spec.replicationFactor;
    if (replicas === -1) replicas = Math.min(3, Math.max(1, (await this.metadata([])).brokers.size));
    if (replicas >= 3 && config['min.insync.replicas'] === undefined) config['min.insync.replicas'] = '2';
    try {
      await admin.createTopics({
        topics: [spec.name],
        partitions: spec.partitions,
        replicas,
        configs: Object.entries(config).map(([name, value]) => ({ name, value })),
      });
    } catch (error) {
      // Workers starting together create the same topics; the other one's creation is success here.
      if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) {
        throw wrapPlatformaticError(error, `Cannot create Kafka topic ${spec.name}`, { topic: spec.name, partitions: spec.partitions, replicationFactor: replicas });
      }
    }
    return this.waitForTopic(spec.name);
  }

  async describeTopic(name: string): Promise<TopicDescription | undefined> {
    const admin = this.connected(`describe topic ${name}`);
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(name)) return undefined;
      const metadata = await this.metadata([name]);
      const topic = metadata.topics.get(name);
      return topic === undefined ? undefined : { name, partitions: topic.partitionsCount };
    } catch (error) {
      if (hasProtocolError(error, 'UNKNOWN_TOPIC_OR_PARTITION')) return undefined;
      throw wrapPlatformaticError(error, `Cannot describe Kafka topic ${name}`, { topic: name });
    }
  }

  async fetchOffsets(topic: string): Promise<readonly PartitionOffsets[]> {
    try {
      return await retryThroughOutage(async () => {
        const metadata = await this.metadata([topic], true);
        const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
        const partitions = Array.from({ length: count }, (_, partition) => partition);
        const [low, high] = await Promise.all([this.listOffsets(topic, partitions, EARLIEST), this.listOffsets(topic, partitions, LATEST)]);
        return partitions.map((partition) => ({ partition, low: low.get(partition) ?? 0, high: high.get(partition) ?? 0 }));
      }, isRetriable);
    } catch (error) {
      throw wrapPlatformaticError(error, `Cannot fetch offsets of Kafka topic ${topic}`, { topic });
    }
  }

  async fetchCommitted(groupId: string, topic: string): Promise<readonly TopicPartitionOffset[]> {
    const admin = this.connected(`fetch committed offsets of ${groupId}`);
    try {
      const count = (await this.metadata([topic])).topics.get(topic)?.partitionsCount ?? 0;
      const partitionIndexes = Array.from({ length: count }, (_, partition) => partition);
      const groups = await retryThroughOutage(() => admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: [{ name: topic, partitionIndexes }] }] }), isRetriable);
      const partitions = groups.find((g) => g.groupId === groupId)?.topics.find((t) => t.name === topic)?.partitions ?? [];
      return partitions
        .map((p) => ({ topic, partition: p.partitionIndex, offset: Number(p.committedOffset) }))
        .filter((p) => p.offset >= 0)
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw wrapPlatformaticError(error, `Cannot fetch committed offsets of group ${groupId} on topic ${topic}`, { groupId, topic });
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const admin = this.connected(`delete topic ${name}`);
    try {
      await admin.deleteTopics({ topics: [name] });
    } catch (error) {
      if (hasProtocolError(error, 'UNKNOWN_TOPIC_OR_PARTITION')) return;
      throw wrapPlatformaticError(error, `Cannot delete Kafka topic ${name}`, { topic: name });
    }
  }

  private async listOffsets(topic: string, partitions: readonly number[], timestamp: bigint): Promise<Map<number, number>> {
    const admin = this.connected(`list offsets of ${topic}`);
    const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] });
    const result = new Map<number, number>();
    for (const t of listed) if (t.name === topic) for (const p of t.partitions) result.set(p.partitionIndex, Number(p.offset));
    return result;
  }

  private metadata(topics: string[], forceUpdate = false): Promise<ClusterMetadata> {
    return this.connected('read cluster metadata').metadata({ topics, forceUpdate });
  }

  /** Every partition with a leader, and ListOffsets (answered by leaders only) succeeding. */
  private async waitForTopic(name: string): Promise<TopicDescription> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (;;) {
      try {
        const topic = (await this.metadata([name], true)).topics.get(name);
        if (topic !== undefined && topic.partitionsCount > 0 && topic.partitions.every((p) => p.leader >= 0)) {
          await this.listOffsets(name, Array.from({ length: topic.partitionsCount }, (_, p) => p), LATEST);
          return { name, partitions: topic.partitionsCount };
        }
      } catch (error) {
        if (!isRetriable(error)) throw wrapPlatformaticError(error, `Cannot read metadata of new Kafka topic ${name}`, { topic: name });
      }
      if (Date.now() > deadline) {
        throw new FaustgenError('FG_TRANSPORT', `Kafka topic ${name} has no leader for every partition after ${TOPIC_READY_TIMEOUT_MS} ms`, { retriable: true, details: { topic: name } });
      }
      await sleep(100);
    }
  }

  private connected(what: string): PlatformaticAdmin {
    if (this.admin === undefined) throw new FaustgenError('FG_APP_STATE', `Kafka admin is not started: cannot ${what}`);
    return this.admin;
  }
}
