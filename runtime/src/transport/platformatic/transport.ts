import type { Admin, GroupConsumer, GroupConsumerOptions, PartitionReader, Producer, Transport } from '../../types/transport.js';
import { resolveKafkaOptions, type KafkaDriverOptions, type KafkaDriverSettings } from '../kafka-options.js';
import { PlatformaticKafkaAdmin } from './admin.js';
import { PlatformaticGroupConsumer } from './group-consumer.js';
import { PlatformaticPartitionReader } from './partition-reader.js';
import { PlatformaticKafkaProducer } from './producer.js';

/**
 * The `kafka+platformatic://` transport (docs/adr/0010-second-kafka-driver.md): the same Kafka
 * contract as the kafkajs driver on @platformatic/kafka. No transactions yet, so no
 * createTransactionalProducer: settings refuse processingGuarantee exactly_once with this driver.
 */
export class PlatformaticKafkaTransport implements Transport {
  readonly driver = 'kafka+platformatic';

  constructor(readonly options: KafkaDriverOptions) {}

  createProducer(): Producer {
    return new PlatformaticKafkaProducer(this.options);
  }

  createAdmin(): Admin {
    return new PlatformaticKafkaAdmin(this.options);
  }

  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new PlatformaticGroupConsumer(this.options, options);
  }

  createPartitionReader(): PartitionReader {
    return new PlatformaticPartitionReader(this.options);
  }
}

/** @example createPlatformaticKafkaTransport(['localhost:9092'], { clientId: 'orders-app' }) */
export function createPlatformaticKafkaTransport(brokers: readonly string[], settings: KafkaDriverSettings = {}): PlatformaticKafkaTransport {
  return new PlatformaticKafkaTransport(resolveKafkaOptions(brokers, settings));
}
