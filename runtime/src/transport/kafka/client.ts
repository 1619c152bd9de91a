import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { FaustgenError, describeError } from '../../core/errors.js';
import type { KafkaDriverOptions, KafkaLogLevel, KafkaSaslOptions } from './config.js';
import { isRetriable, rootCause, wrapKafkaError } from './errors.js';

const kafkajsLogLevels: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** One kafkajs client per producer/consumer/admin, so that each owns its connections. */
export function createKafkaClient(options: KafkaDriverOptions, overrides: Partial<KafkaConfig> = {}): Kafka {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    logLevel: kafkajsLogLevels[options.logLevel],
    ...overrides,
  };
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (options.sasl !== undefined) config.sasl = toKafkaSasl(options.sasl);
  return new Kafka(config);
}

function toKafkaSasl(sasl: KafkaSaslOptions): SASLOptions {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}

/**
 * Waits until the brokers answer, retrying with backoff for up to `startupTimeoutMs`, then fails
 * with FG_BROKER_UNREACHABLE naming the brokers and the time waited. A separate probe client with
 * kafkajs retries off keeps every attempt bounded by `connectTimeoutMs`, so the deadline holds;
 * failures that waiting cannot fix (authentication, TLS) fail at once.
 */
export async function waitForBrokers(options: KafkaDriverOptions, signal?: AbortSignal): Promise<void> {
  const started = Date.now();
  const deadline = started + options.startupTimeoutMs;
  const probe = createKafkaClient(
    { ...options, logLevel: 'nothing' },
    { retry: { retries: 0 }, connectionTimeout: Math.min(options.connectTimeoutMs, options.startupTimeoutMs) },
  ).admin();
  let backoffMs = 100;
  let lastError: unknown;
  try {
    for (;;) {
      try {
        await probe.connect();
        return;
      } catch (error) {
        lastError = error;
        if (!isRetriable(rootCause(error)) && !isRetriable(error)) {
          throw wrapKafkaError(error, `Cannot connect to Kafka brokers ${options.brokers.join(', ')}`, {
            brokers: options.brokers,
          });
        }
      }
      await probe.disconnect().catch(() => undefined);
      const remaining = deadline - Date.now();
      if (remaining <= 0 || signal?.aborted === true) break;
      await sleep(Math.min(backoffMs, remaining));
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  } finally {
    await probe.disconnect().catch(() => undefined);
  }
  const waited = Date.now() - started;
  throw new FaustgenError(
    'FG_BROKER_UNREACHABLE',
    `Kafka brokers ${options.brokers.join(', ')} unreachable: gave up after ${waited} ms ` +
      `(brokerStartupTimeoutMs = ${options.startupTimeoutMs}): ${describeError(rootCause(lastError))}`,
    { cause: lastError, details: { brokers: options.brokers, waitedMs: waited, startupTimeoutMs: options.startupTimeoutMs } },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
