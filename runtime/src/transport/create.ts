import type { BrokerUrl } from '../app/settings.js';
import type { Logger } from '../core/logger.js';
import { resolveBrokerSecurity, type BrokerSecurityInput } from './kafka/security.js';
import type { Transport } from '../types/transport.js';
import { MemoryTransport } from './memory/transport.js';
import { PLATFORMATIC_MIN_NODE, requireNodeForPlatformatic } from './platformatic-node.js';

export interface TransportOptions {
  readonly clientId: string;
  readonly startupTimeoutMs: number;
  readonly kafka?: Readonly<Record<string, unknown>>;
  /** kafkajs's log lines go through it. */
  readonly logger?: Logger;
  /** TLS and SASL from the settings, completed by FAUSTGEN_KAFKA_* variables (kafka:// only). */
  readonly security?: BrokerSecurityInput | undefined;
}

/**
 * Picks the driver by URL scheme: `kafka+platformatic://` is @platformatic/kafka, `kafka+kafkajs://`
 * kafkajs, and `kafka://` the default, @platformatic/kafka on Node 22.22+ and kafkajs on an older Node
 * (docs/adr/0010-second-kafka-driver.md); each client library is only loaded when it is chosen.
 */
export async function createTransport(broker: BrokerUrl, options: TransportOptions): Promise<Transport> {
  if (broker.driver === 'memory') return new MemoryTransport(broker.url);
  const { summary: _summary, ...security } = resolveBrokerSecurity(options.security, process.env);
  const settings = { clientId: options.clientId, startupTimeoutMs: options.startupTimeoutMs, ...(options.logger === undefined ? {} : { logger: options.logger }), ...security, ...(options.kafka ?? {}) };
  if (broker.client === 'platformatic') {
    requireNodeForPlatformatic(broker.url);
    const { createPlatformaticKafkaTransport } = await import('./platformatic/index.js');
    return createPlatformaticKafkaTransport(broker.hosts, settings);
  }
  if (broker.clientFallback === true) {
    options.logger?.warn(`broker ${broker.url} runs on kafkajs: the default Kafka client, @platformatic/kafka, needs Node >= ${PLATFORMATIC_MIN_NODE} and this is Node ${process.versions.node}; use Node 22, or write kafka+kafkajs:// to choose kafkajs and silence this`, { broker: broker.url, node: process.versions.node });
  }
  const { createKafkaTransport } = await import('./kafka/index.js');
  return createKafkaTransport(`kafka://${broker.hosts.join(';')}`, settings);
}
