import type { Admin as KafkaJsAdmin, Kafka } from 'kafkajs';
import { FaustgenError } from '../../core/errors.js';
import type { Admin, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../../types/transport.js';
import { retryThroughOutage } from '../outage-retry.js';
import { createKafkaClient, sleep, waitForBrokers } from './client.js';
import type { KafkaDriverOptions } from './config.js';
import { isRetriableThroughCause, kafkaErrorType, wrapKafkaError } from './errors.js';

/** How long ensureTopic waits for a topic it created to show all partitions with leaders. */
const TOPIC_READY_TIMEOUT_MS = 30_000;

/** The Admin on kafkajs's admin client. */
export class KafkaAdmin implements Admin {
  private readonly kafka: Kafka;
  private admin: KafkaJsAdmin | undefined;

  constructor(private readonly options: KafkaDriverOptions) {
    this.kafka = createKafkaClient(options);
  }

  async start(): Promise<void> {
    if (this.admin !== undefined) return;
    await waitForBrokers(this.options);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      throw wrapKafkaError(error, `Kafka admin could not connect to ${this.options.brokers.join(', ')}`);
    }
    this.admin = admin;
  }

  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  /**
   * Creates the topic when missing. Another worker may create it at the same moment: kafkajs then
   * reports TOPIC_ALREADY_EXISTS (createTopics returns false), which is success here. An existing
   * topic is returned as it is, even if its partition count differs from the spec: the caller
   * decides whether that is an error (co-partitioning checks).
   */
  async ensureTopic(spec: TopicSpec): Promise<TopicDescription> {
    const existing = await this.describeTopic(spec.name);
    if (existing !== undefined) return existing;
    const admin = this.connected(`create topic ${spec.name}`);
    const { replicationFactor, config } = await this.durability(spec);
    try {
      // kafkajs's own leader wait gives up on UNKNOWN_TOPIC_OR_PARTITION while a fresh topic's
      // metadata propagates; waitForTopic below polls with a longer, explicit deadline instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor,
            configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    } catch (error) {
      // Workers starting together create the same topics: another one's creation can answer
      // "already exists" or, while its metadata propagates, "unknown topic"; either way the topic
      // is (being) there, and waitForTopic gives it an explicit deadline.
      if (!hasErrorType(error, 'TOPIC_ALREADY_EXISTS') && !hasErrorType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) {
        throw wrapKafkaError(error, `Cannot create Kafka topic ${spec.name}`, {
          topic: spec.name,
          partitions: spec.partitions,
          replicationFactor,
        });
      }
    }
    return this.waitForTopic(spec.name);
  }

  /**
   * The replication of a topic faustgen creates: -1 means 3 replicas, or every broker on smaller
   * clusters; with 3 or more replicas `min.insync.replicas` is 2 unless the topic's config says
   * otherwise, so that with acks = all a write is on two brokers before it is acknowledged, and a
   * single broker failure neither loses an acknowledged write nor stops writes. (A broker's own
   * default is often 1, which acknowledges writes held by the leader alone.)
   */
  private async durability(spec: TopicSpec): Promise<{ replicationFactor: number; config: Record<string, string> }> {
    const config: Record<string, string> = { ...(spec.config ?? {}) };
    let replicationFactor = spec.replicationFactor;
    if (replicationFactor === -1) {
      const brokers = await this.brokerCount(spec.name);
      replicationFactor = Math.min(3, brokers);
    }
    if (replicationFactor >= 3 && config['min.insync.replicas'] === undefined) config['min.insync.replicas'] = '2';
    return { replicationFactor, config };
  }

  private async brokerCount(topic: string): Promise<number> {
    try {
      const { brokers } = await this.connected(`describe the cluster for topic ${topic}`).describeCluster();
      return Math.max(1, brokers.length);
    } catch (error) {
      throw wrapKafkaError(error, `Cannot describe the Kafka cluster to choose the replication of topic ${topic}`, { topic });
    }
  }

  async describeTopic(name: string): Promise<TopicDescription | undefined> {
    const admin = this.connected(`describe topic ${name}`);
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(name)) return undefined;
      const metadata = await admin.fetchTopicMetadata({ topics: [name] });
      const topic = metadata.topics.find((t) => t.name === name);
      return topic === undefined ? undefined : { name, partitions: topic.partitions.length };
    } catch (error) {
      if (hasErrorType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) return undefined;
      throw wrapKafkaError(error, `Cannot describe Kafka topic ${name}`, { topic: name });
    }
  }

  async fetchOffsets(topic: string): Promise<readonly PartitionOffsets[]> {
    const admin = this.connected(`fetch offsets of ${topic}`);
    try {
      const offsets = await retryThroughOutage(() => admin.fetchTopicOffsets(topic), isRetriableThroughCause);
      return offsets
        .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw wrapKafkaError(error, `Cannot fetch offsets of Kafka topic ${topic}`, { topic });
    }
  }

  /** Committed offsets of a group; partitions without a commit are left out. */
  async fetchCommitted(groupId: string, topic: string): Promise<readonly TopicPartitionOffset[]> {
    const admin = this.connected(`fetch committed offsets of ${groupId}`);
    try {
      const result = await retryThroughOutage(() => admin.fetchOffsets({ groupId, topics: [topic] }), isRetriableThroughCause);
      const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
      return partitions
        .map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) }))
        .filter((p) => p.offset >= 0)
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw wrapKafkaError(error, `Cannot fetch committed offsets of group ${groupId} on topic ${topic}`, { groupId, topic });
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const admin = this.connected(`delete topic ${name}`);
    try {
      await admin.deleteTopics({ topics: [name] });
    } catch (error) {
      if (hasErrorType(error, 'UNKNOWN_TOPIC_OR_PARTITION')) return;
      throw wrapKafkaError(error, `Cannot delete Kafka topic ${name}`, { topic: name });
    }
  }

  /** Metadata can lag right after creation: wait until every partition has a leader. */
  private async waitForTopic(name: string): Promise<TopicDescription> {
    const admin = this.connected(`wait for topic ${name}`);
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    for (;;) {
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [name] });
        const partitions = metadata.topics.find((t) => t.name === name)?.partitions ?? [];
        if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) {
          // Metadata can name a leader before that broker serves the partition; ListOffsets is
          // answered by the leader only, so its success means records can be produced. Producing
          // earlier gets NOT_LEADER for some partitions and kafkajs's retry of the whole request
          // duplicates the records of the partitions that had succeeded.
          await admin.fetchTopicOffsets(name);
          return { name, partitions: partitions.length };
        }
      } catch (error) {
        if (!notReadyYet.some((type) => hasErrorType(error, type))) {
          throw wrapKafkaError(error, `Cannot read metadata of new Kafka topic ${name}`, { topic: name });
        }
      }
      if (Date.now() > deadline) {
        throw new FaustgenError('FG_TRANSPORT', `Kafka topic ${name} has no leader for every partition after ${TOPIC_READY_TIMEOUT_MS} ms`, {
          retriable: true,
          details: { topic: name },
        });
      }
      await sleep(100);
    }
  }

  private connected(what: string): KafkaJsAdmin {
    if (this.admin === undefined) {
      throw new FaustgenError('FG_APP_STATE', `Kafka admin is not started: cannot ${what}`);
    }
    return this.admin;
  }
}

const notReadyYet = ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER'];

/** kafkajs reports per-topic failures in an `errors` array (KafkaJSAggregateError) or via `cause`. */
function hasErrorType(error: unknown, type: string): boolean {
  if (kafkaErrorType(error) === type) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { errors, cause } = error as { errors?: unknown; cause?: unknown };
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => hasErrorType(e, type))) return true;
  return cause !== undefined && cause !== error && hasErrorType(cause, type);
}

