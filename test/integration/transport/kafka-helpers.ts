import type {
  ConsumedRecord,
  ConsumerListener,
  GroupAssignment,
  GroupConsumerOptions,
  TopicPartition,
} from '../../../runtime/src/types/transport.js';
import type { Transport } from '../../../runtime/src/types/transport.js';
import type { KafkaClientName } from '../../../runtime/src/app/settings.js';
import { createKafkaTransport, type KafkaDriverSettings } from '../../../runtime/src/transport/kafka/index.js';
import { createPlatformaticKafkaTransport } from '../../../runtime/src/transport/platformatic/index.js';

export { uniqueName } from '../../kafka/global.js';

/**
 * The Kafka drivers the transport tests run against: both by default; FAUSTGEN_TEST_KAFKA_CLIENTS
 * (e.g. `kafkajs` or `platformatic`) narrows them.
 */
export const kafkaClients: readonly KafkaClientName[] = (process.env['FAUSTGEN_TEST_KAFKA_CLIENTS'] ?? 'kafkajs,platformatic')
  .split(',')
  .map((c) => c.trim())
  .filter((c): c is KafkaClientName => c === 'kafkajs' || c === 'platformatic');

export function createTestKafkaTransport(client: KafkaClientName, brokers: readonly string[], settings: KafkaDriverSettings): Transport {
  return client === 'platformatic' ? createPlatformaticKafkaTransport(brokers, settings) : createKafkaTransport(`kafka://${brokers.join(';')}`, settings);
}

export function testTransport(bootstrap: string, settings: KafkaDriverSettings = {}, client: KafkaClientName = 'kafkajs'): Transport {
  return createTestKafkaTransport(client, bootstrap.split(','), {
    clientId: 'faustgen-int',
    logLevel: 'nothing',
    startupTimeoutMs: 20_000,
    ...settings,
    consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000, rebalanceTimeoutMs: 20_000, maxWaitTimeMs: 200, ...settings.consumer },
  });
}

export function groupOptions(groupId: string, topics: readonly string[], url = 'http://localhost'): GroupConsumerOptions {
  return {
    groupId,
    topics,
    autoOffsetReset: 'earliest',
    metadata: { version: 1, changelogTopics: [], globalTopics: [], standbyReplicas: 0, url },
  };
}

export type ListenerEvent =
  | { readonly kind: 'assigned'; readonly assignment: GroupAssignment }
  | { readonly kind: 'revoked'; readonly partitions: readonly TopicPartition[] }
  | { readonly kind: 'records'; readonly records: readonly ConsumedRecord[] };

/** A listener that records everything in order, for assertions on the sequence of callbacks. */
export class RecordingListener implements ConsumerListener {
  readonly events: ListenerEvent[] = [];
  readonly errors: Error[] = [];
  private waiters: Array<() => void> = [];

  async onAssigned(assignment: GroupAssignment): Promise<void> {
    this.push({ kind: 'assigned', assignment });
  }

  async onRevoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.push({ kind: 'revoked', partitions });
  }

  async onRecords(records: readonly ConsumedRecord[]): Promise<void> {
    this.push({ kind: 'records', records });
  }

  onError(error: Error): void {
    this.errors.push(error);
  }

  records(): ConsumedRecord[] {
    return this.events.flatMap((e) => (e.kind === 'records' ? [...e.records] : []));
  }

  lastAssignment(): GroupAssignment | undefined {
    const assigned = this.events.filter((e): e is Extract<ListenerEvent, { kind: 'assigned' }> => e.kind === 'assigned');
    return assigned[assigned.length - 1]?.assignment;
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` with `what` in the message. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.errors.length > 0) throw this.errors[0];
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}; events: ${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 200));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  describe(): string {
    return this.events
      .map((e) =>
        e.kind === 'records'
          ? `records(${e.records.length}@${e.records[0]?.topic}[${e.records[0]?.partition}])`
          : e.kind === 'revoked'
            ? `revoked(${e.partitions.map((p) => `${p.topic}[${p.partition}]`).join(',')})`
            : `assigned(${e.assignment.assignment.actives.map((p) => `${p.topic}[${p.partition}]`).join(',')})`,
      )
      .join(' ');
  }

  private push(event: ListenerEvent): void {
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
