import { Admin, type BaseOptions, type SASLOptions } from '@platformatic/kafka';
import { FaustgenError, describeError } from '../../core/errors.js';
import type { KafkaDriverOptions, KafkaSaslOptions } from '../kafka-options.js';
import { authenticationMessage, isAuthenticationError, isRetriable, wrapPlatformaticError } from './errors.js';
import { authenticationFailure } from '../authentication-failure.js';

/** The options every @platformatic/kafka client of this driver shares. */
export function baseOptions(options: KafkaDriverOptions, role: string): BaseOptions {
  const base: BaseOptions = {
    clientId: `${options.clientId}-${role}`,
    bootstrapBrokers: [...options.brokers],
    connectTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    timeout: options.requestTimeoutMs,
    retries: 3,
    retryDelay: 250,
    autocreateTopics: false,
  };
  if (options.ssl !== undefined && options.ssl !== false) base.tls = options.ssl === true ? {} : options.ssl;
  if (options.sasl !== undefined) base.sasl = toSasl(options.sasl);
  return base;
}

function toSasl(sasl: KafkaSaslOptions): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'PLAIN', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'SCRAM-SHA-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'SCRAM-SHA-512', username: sasl.username, password: sasl.password };
    case 'oauthbearer':
      return { mechanism: 'OAUTHBEARER', token: sasl.token };
  }
}

/**
 * Waits until the brokers answer a metadata request, retrying with backoff for up to
 * `startupTimeoutMs`, then fails with FG_BROKER_UNREACHABLE naming the brokers and the time waited
 * (the same contract as the kafkajs driver). Refused credentials fail at once with FG_BROKER_AUTH.
 */
export async function waitForBrokers(options: KafkaDriverOptions): Promise<void> {
  const started = Date.now();
  const deadline = started + options.startupTimeoutMs;
  let backoffMs = 100;
  let lastError: unknown;
  for (;;) {
    const probe = new Admin({ ...baseOptions(options, 'probe'), retries: 0, connectTimeout: Math.min(options.connectTimeoutMs, options.startupTimeoutMs) });
    try {
      await probe.metadata({ topics: [] });
      return;
    } catch (error) {
      lastError = error;
      if (isAuthenticationError(error)) throw authenticationFailure(error, options, authenticationMessage(error));
      if (!isRetriable(error) && !isConnectionFailure(error)) throw wrapPlatformaticError(error, `Cannot connect to Kafka brokers ${options.brokers.join(', ')}`, { brokers: options.brokers });
    } finally {
      await probe.close().catch(() => undefined);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await sleep(Math.min(backoffMs, remaining));
    backoffMs = Math.min(backoffMs * 2, 5_000);
  }
  const waited = Date.now() - started;
  throw new FaustgenError(
    'FG_BROKER_UNREACHABLE',
    `Kafka brokers ${options.brokers.join(', ')} unreachable: gave up after ${waited} ms (brokerStartupTimeoutMs = ${options.startupTimeoutMs}): ${describeError(lastError)}`,
    { cause: lastError, details: { brokers: options.brokers, waitedMs: waited, startupTimeoutMs: options.startupTimeoutMs } },
  );
}

/** A refused or timed-out connection shows up as a MultipleErrors around a network error. */
function isConnectionFailure(error: unknown): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection|connect/i.test(describeError(error));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
