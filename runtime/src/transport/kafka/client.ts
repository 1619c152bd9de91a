import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { FaustgenError, describeError } from '../../core/errors.js';
import type { KafkaDriverOptions, KafkaLogLevel, KafkaSaslOptions } from './config.js';
import { isRetriable, rootCause, wrapKafkaError } from './errors.js';
import { kafkaLogCreator } from './log-bridge.js';
import { authenticationFailure } from '../authentication-failure.js';

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
    ...(options.logger === undefined ? {} : { logCreator: kafkaLogCreator(options.logger) }),
    ...overrides,
  };
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (options.sasl !== undefined) config.sasl = toKafkaSasl(options.sasl);
  return new Kafka(config);
}

function toKafkaSasl(sasl: KafkaSaslOptions): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'oauthbearer': {
      const { token } = sasl;
      return { mechanism: 'oauthbearer', oauthBearerProvider: () => Promise.resolve({ value: token }) };
    }
  }
}

/** A SASL handshake or authentication the broker refused: retrying cannot fix it. */
export function isAuthenticationError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const name = (current as { name?: unknown }).name;
    if (name === 'KafkaJSSASLAuthenticationError' || name === 'KafkaJSAuthenticationError') return true;
    const type = (current as { type?: unknown }).type;
    if (type === 'SASL_AUTHENTICATION_FAILED' || type === 'UNSUPPORTED_SASL_MECHANISM' || type === 'ILLEGAL_SASL_STATE') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Without TLS or SASL, a broker that closes every connection at once most likely expects them. */
function closedConnectionHint(error: unknown, options: KafkaDriverOptions): string {
  if (options.ssl !== undefined || options.sasl !== undefined) return '';
  return /closed connection|ECONNRESET|socket hang up/i.test(describeError(rootCause(error))) ? ' (the broker closed the connection: does this listener expect TLS or SASL? see security in faustgen.yaml)' : '';
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
        if (isAuthenticationError(error)) throw authenticationFailure(error, options, describeError(rootCause(error)));
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
      `(brokerStartupTimeoutMs = ${options.startupTimeoutMs}): ${describeError(rootCause(lastError))}${closedConnectionHint(lastError, options)}`,
    { cause: lastError, details: { brokers: options.brokers, waitedMs: waited, startupTimeoutMs: options.startupTimeoutMs } },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
