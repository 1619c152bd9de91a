import type { Admin, GroupConsumer, GroupConsumerOptions, PartitionReader, Producer, TransactionalProducer, TransactionEvents, Transport } from '../../types/transport.js';
import { KafkaAdmin } from './admin.js';
import { resolveKafkaOptions, type KafkaDriverOptions, type KafkaDriverSettings } from './config.js';
import { KafkaGroupConsumer } from './group-consumer.js';
import { KafkaPartitionReader } from './partition-reader.js';
import { KafkaProducer } from './producer.js';
import { KafkaTransactionalProducer } from './transactional-producer.js';
import { parseKafkaUrl } from './url.js';

/** The `kafka://` transport: each factory call makes an independent kafkajs client. */
export class KafkaTransport implements Transport {
  readonly driver = 'kafka';
  /** Learnt by every producer's partitioner; transactional producers place records with it. */
  private readonly partitionCounts = new Map<string, number>();

  constructor(readonly options: KafkaDriverOptions) {}

  createProducer(): Producer {
    return new KafkaProducer(this.options, this.partitionCounts);
  }

  createTransactionalProducer(transactionalId: string, events?: TransactionEvents): TransactionalProducer {
    return new KafkaTransactionalProducer(this.options, transactionalId, events, this.partitionCounts);
  }

  createAdmin(): Admin {
    return new KafkaAdmin(this.options);
  }

  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new KafkaGroupConsumer(this.options, options);
  }

  createPartitionReader(): PartitionReader {
    return new KafkaPartitionReader(this.options);
  }
}

/**
 * @example createKafkaTransport('kafka://localhost:9092', { clientId: 'orders-app' })
 */
export function createKafkaTransport(url: string, settings: KafkaDriverSettings = {}): KafkaTransport {
  return new KafkaTransport(resolveKafkaOptions(parseKafkaUrl(url), settings));
}
