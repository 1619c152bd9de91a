import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { kafkaErrorType, rootCause } from './errors.js';

/** Where the kafka:// driver reports what it rides out (the app passes its logger). */
export type KafkaDriverLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

/**
 * Tells an operator what the producer went through during a broker fault, once per outage rather
 * than once per batch: the first failed attempt (broker unreachable, leader moved: retrying) at
 * warn, the following ones at debug, and the first success after them at info with how long the
 * outage lasted and how many attempts failed.
 */
export class OutageLog {
  private since: number | undefined;
  private failures = 0;
  private unsentRecords = 0;

  constructor(private readonly log: KafkaDriverLog | undefined) {}

  failed(error: unknown): void {
    this.failures++;
    const fields = { error: describeError(rootCause(error)), kafkaError: kafkaErrorType(rootCause(error)) ?? kafkaErrorType(error) ?? 'unknown' };
    if (this.since === undefined) {
      this.since = Date.now();
      this.log?.warn('Kafka produce failed (broker unreachable or partition leader moved); retrying until deliveryTimeoutMs', fields);
    } else {
      this.log?.debug('Kafka produce failed again; retrying', fields);
    }
  }

  /** kafkajs resolved a batch without an answer for some partitions (their leader moved). */
  unanswered(records: number, partitions: readonly string[]): void {
    this.since ??= Date.now();
    this.unsentRecords += records;
    this.log?.warn('Kafka partition leader moved: records kafkajs did not send are sent again', { records, partitions: partitions.slice(0, 20).join(', ') });
  }

  recovered(): void {
    if (this.since === undefined) return;
    this.log?.info('Kafka produce recovered', { outageMs: Date.now() - this.since, failedAttempts: this.failures, resentRecords: this.unsentRecords });
    this.reset();
  }

  gaveUp(error: unknown): void {
    if (this.since === undefined) return;
    this.log?.warn('Kafka produce gave up', { outageMs: Date.now() - this.since, failedAttempts: this.failures, error: describeError(error) });
    this.reset();
  }

  private reset(): void {
    this.since = undefined;
    this.failures = 0;
    this.unsentRecords = 0;
  }
}
