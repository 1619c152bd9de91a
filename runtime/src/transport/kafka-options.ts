import type { ConnectionOptions } from 'node:tls';
import { FaustgenError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** Where a Kafka driver reports what it rides out (the app passes its logger). */
export type KafkaDriverLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'oauthbearer';
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export type KafkaSaslOptions =
  | { readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; readonly username: string; readonly password: string }
  /** A bearer token obtained elsewhere (OAUTHBEARER); re-sent on every new connection. */
  | { readonly mechanism: 'oauthbearer'; readonly token: string };

export interface KafkaProducerOptions {
  /** -1 = all in-sync replicas (required by `idempotent`), 1 = leader only, 0 = no ack. */
  readonly acks: -1 | 0 | 1;
  /** How long records wait for companions before a batch is sent; 0 = records of the same tick. */
  readonly lingerMs: number;
  readonly compression: 'none' | 'gzip';
  readonly idempotent: boolean;
  /** Upper bound of key + value + header bytes in one produce request. */
  readonly maxBatchBytes: number;
  /**
   * How long a batch keeps being retried while its failures are retriable (broker restarting,
   * leader moving) before its records are rejected, as Java's `delivery.timeout.ms`. kafkajs's own
   * retries give up after about 10 s, which a broker restart easily outlasts.
   */
  readonly deliveryTimeoutMs: number;
}

export interface KafkaConsumerOptions {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly maxBytesPerPartition: number;
  /** Fetch long-poll; it also bounds how long stop() and a rebalance wait for an idle fetch. */
  readonly maxWaitTimeMs: number;
  /** Cap on partitions handled concurrently by one consumer (kafkajs fixes it at start). */
  readonly maxConcurrency: number;
}

/**
 * Everything a kafka:// driver needs (kafkajs or @platformatic/kafka: both read the same settings);
 * SSL and SASL go to the client unchanged.
 */
export interface KafkaDriverOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: KafkaSaslOptions;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /**
   * How long start() keeps retrying brokers that cannot be reached before it fails with
   * FG_BROKER_UNREACHABLE: live happy (a broker restarting during a deploy is fine), die hard (a
   * wrong address fails the worker instead of hanging forever).
   */
  readonly startupTimeoutMs: number;
  readonly logLevel: KafkaLogLevel;
  /** Where kafkajs's own log lines go (the app passes its logger); kafkajs's JSON lines on stdout without. */
  readonly logger?: Logger;
  /** Where the driver reports faults it rides out (retries, leader moves, recoveries). */
  readonly log?: KafkaDriverLog;
  readonly producer: KafkaProducerOptions;
  readonly consumer: KafkaConsumerOptions;
}

/** What callers may pass: every field optional, nested groups partially. */
export type KafkaDriverSettings = Partial<Omit<KafkaDriverOptions, 'brokers' | 'producer' | 'consumer'>> & {
  readonly producer?: Partial<KafkaProducerOptions>;
  readonly consumer?: Partial<KafkaConsumerOptions>;
};

export const defaultProducerOptions: KafkaProducerOptions = {
  acks: -1,
  lingerMs: 0,
  compression: 'none',
  idempotent: false,
  maxBatchBytes: 1_048_576,
  deliveryTimeoutMs: 120_000,
};

export const defaultConsumerOptions: KafkaConsumerOptions = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  maxBytesPerPartition: 1_048_576,
  maxWaitTimeMs: 500,
  maxConcurrency: 32,
};

export function resolveKafkaOptions(brokers: readonly string[], settings: KafkaDriverSettings = {}): KafkaDriverOptions {
  const { producer, consumer, ...rest } = settings;
  const options: KafkaDriverOptions = {
    clientId: 'faustgen',
    connectTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    startupTimeoutMs: 60_000,
    logLevel: 'error',
    ...rest,
    brokers,
    producer: { ...defaultProducerOptions, ...producer },
    consumer: { ...defaultConsumerOptions, ...consumer },
  };
  validate(options);
  return options;
}

function validate(options: KafkaDriverOptions): void {
  const positive: Array<[string, number]> = [
    ['connectTimeoutMs', options.connectTimeoutMs],
    ['requestTimeoutMs', options.requestTimeoutMs],
    ['startupTimeoutMs', options.startupTimeoutMs],
    ['producer.maxBatchBytes', options.producer.maxBatchBytes],
    ['producer.deliveryTimeoutMs', options.producer.deliveryTimeoutMs],
    ['consumer.sessionTimeoutMs', options.consumer.sessionTimeoutMs],
    ['consumer.heartbeatIntervalMs', options.consumer.heartbeatIntervalMs],
    ['consumer.rebalanceTimeoutMs', options.consumer.rebalanceTimeoutMs],
    ['consumer.maxBytesPerPartition', options.consumer.maxBytesPerPartition],
    ['consumer.maxConcurrency', options.consumer.maxConcurrency],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) throw settingError(name, value, 'must be a positive number');
  }
  if (!Number.isFinite(options.producer.lingerMs) || options.producer.lingerMs < 0) {
    throw settingError('producer.lingerMs', options.producer.lingerMs, 'must be 0 or more');
  }
  if (options.consumer.heartbeatIntervalMs >= options.consumer.sessionTimeoutMs) {
    throw settingError('consumer.heartbeatIntervalMs', options.consumer.heartbeatIntervalMs, 'must be lower than consumer.sessionTimeoutMs');
  }
  if (options.producer.idempotent && options.producer.acks !== -1) {
    throw settingError('producer.acks', options.producer.acks, 'must be -1 (all) when producer.idempotent is true');
  }
}

function settingError(name: string, value: unknown, reason: string): FaustgenError {
  return new FaustgenError('FG_SETTING_INVALID', `Kafka driver setting ${name} = ${String(value)} ${reason}`, {
    details: { setting: `kafka.${name}`, value },
  });
}
