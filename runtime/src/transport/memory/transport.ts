import type { Admin, GroupConsumer, GroupConsumerOptions, PartitionReader, Producer, Transport } from '../../types/transport.js';
import { MemoryAdmin } from './admin.js';
import type { MemoryBroker } from './broker.js';
import { MemoryGroupConsumer } from './group-consumer.js';
import { MemoryPartitionReader } from './partition-reader.js';
import { MemoryProducer } from './producer.js';
import { getMemoryBroker, memoryBrokerName } from './registry.js';

/**
 * The `memory://` transport. All transports built from the same URL share one broker per process,
 * so several apps in one test talk to each other and a restarted app finds its changelogs.
 */
export class MemoryTransport implements Transport {
  readonly driver = 'memory';
  readonly broker: MemoryBroker;

  /** `memory://` or `memory://<name>`, or a broker instance. */
  constructor(urlOrBroker: string | MemoryBroker = 'memory://') {
    this.broker = typeof urlOrBroker === 'string' ? getMemoryBroker(memoryBrokerName(urlOrBroker)) : urlOrBroker;
  }

  createProducer(): Producer {
    return new MemoryProducer(this.broker);
  }

  createAdmin(): Admin {
    return new MemoryAdmin(this.broker);
  }

  createGroupConsumer(options: GroupConsumerOptions): GroupConsumer {
    return new MemoryGroupConsumer(this.broker, options);
  }

  createPartitionReader(): PartitionReader {
    return new MemoryPartitionReader(this.broker);
  }
}

export { getMemoryBroker, resetMemoryBroker, memoryBrokerName } from './registry.js';
