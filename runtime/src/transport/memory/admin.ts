import { FaustgenError } from '../../core/errors.js';
import type { Admin, PartitionOffsets, TopicDescription, TopicPartitionOffset, TopicSpec } from '../../types/transport.js';
import type { MemoryBroker } from './broker.js';

/** Topic and offset administration on a memory broker. Replication factors are accepted and ignored. */
export class MemoryAdmin implements Admin {
  private readonly broker: MemoryBroker;
  private started = false;

  constructor(broker: MemoryBroker) {
    this.broker = broker;
  }

  async start(): Promise<void> {
    this.started = true;
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async ensureTopic(spec: TopicSpec): Promise<TopicDescription> {
    this.assertStarted('ensureTopic');
    const topic = this.broker.createTopic(spec.name, spec.partitions, spec.config);
    return { name: topic.name, partitions: topic.partitions.length };
  }

  async describeTopic(name: string): Promise<TopicDescription | undefined> {
    this.assertStarted('describeTopic');
    return this.broker.describe(name);
  }

  async fetchOffsets(topic: string): Promise<readonly PartitionOffsets[]> {
    this.assertStarted('fetchOffsets');
    const found = this.broker.topic(topic);
    if (found === undefined) {
      throw new FaustgenError('FG_TOPIC_MISSING', `cannot fetch offsets: topic "${topic}" does not exist on memory broker "${this.broker.name}"`, {
        details: { topic },
      });
    }
    return found.partitions.map((log) => ({ partition: log.partition, low: log.low, high: log.high }));
  }

  /** Only partitions with a committed offset are listed. */
  async fetchCommitted(groupId: string, topic: string): Promise<readonly TopicPartitionOffset[]> {
    this.assertStarted('fetchCommitted');
    return this.broker.group(groupId).committedOffsets(topic);
  }

  async deleteTopic(name: string): Promise<void> {
    this.assertStarted('deleteTopic');
    this.broker.deleteTopic(name);
  }

  private assertStarted(operation: string): void {
    if (!this.started) {
      throw new FaustgenError('FG_APP_STATE', `cannot ${operation}: the admin client is not started`, { details: { operation } });
    }
  }
}
