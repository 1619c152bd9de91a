import type { Admin, GroupConsumer, GroupConsumerOptions, PartitionReader, Producer, TransactionalProducer, TransactionEvents, Transport } from '../../types/transport.js';
import { resolveKafkaOptions, type KafkaDriverOptions, type KafkaDriverSettings } from '../kafka-options.js';
import { PlatformaticKafkaAdmin } from './admin.js';
import { PlatformaticGroupConsumer } from './group-consumer.js';
import { PlatformaticPartitionReader } from './partition-reader.js';
import { PlatformaticKafkaProducer } from './producer.js';
import { PlatformaticTransactionalProducer } from './transactional-producer.js';

/**
 * The `kafka+platformatic://` transport (docs/adr/0010-second-kafka-driver.md): the same Kafka
 * contract as the kafkajs driver on @platformatic/kafka, transactions included.
 */
export class PlatformaticKafkaTransport implements Transport {
  readonly driver = 'kafka+platformatic';
  /** A transaction's offsets name the group's member and generation, which its consumer knows. */
  private readonly groups = new Map<string, PlatformaticGroupConsumer>();

  constructor(readonly options: KafkaDriverOptions) {}

  createProducer(): Producer {
    return new PlatformaticKafkaProducer(this.options);
  }

  createAdmin(): Admin {
    return new PlatformaticKafkaAdmin(this.options);
  }

  createTransactionalProducer(transactionalId: string, events?: TransactionEvents): TransactionalProducer {
    return new PlatformaticTransactionalProducer(this.options, transactionalId, events, (groupId) => this.groups.get(groupId)?.transactionMember());
  }

  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer {
    const consumer = new PlatformaticGroupConsumer(this.options, options);
    this.groups.set(options.groupId, consumer);
    return consumer;
  }

  createPartitionReader(): PartitionReader {
    return new PlatformaticPartitionReader(this.options);
  }
}

/** @example createPlatformaticKafkaTransport(['localhost:9092'], { clientId: 'orders-app' }) */
export function createPlatformaticKafkaTransport(brokers: readonly string[], settings: KafkaDriverSettings = {}): PlatformaticKafkaTransport {
  return new PlatformaticKafkaTransport(resolveKafkaOptions(brokers, settings));
}
