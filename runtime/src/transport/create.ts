import type { BrokerUrl } from '../app/settings.js';
import type { Logger } from '../core/logger.js';
import { resolveBrokerSecurity, type BrokerSecurityInput } from './kafka/security.js';
import type { Transport } from '../types/transport.js';
import { MemoryTransport } from './memory/transport.js';
import { requireNodeForPlatformatic } from './platformatic-node.js';

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
 * Picks the driver by URL scheme: `kafka://` is kafkajs, `kafka+platformatic://` @platformatic/kafka
 * (docs/adr/0010-second-kafka-driver.md); each client library is only loaded when its scheme is used.
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
  const { createKafkaTransport } = await import('./kafka/index.js');
  return createKafkaTransport(broker.url, settings);
}
