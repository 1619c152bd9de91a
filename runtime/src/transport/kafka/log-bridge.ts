import { logLevel as kafkaLevel, type logCreator, type LogEntry } from 'kafkajs';
import type { Logger, LogLevel } from '../../core/logger.js';

/**
 * kafkajs reports, at ERROR, conditions it retries by itself and that end well: a partition's
 * leader moved, the group coordinator is loading or moved, the group is rebalancing, a topic's
 * metadata is not there yet. They are routine during deploys and broker restarts; a real failure
 * reaches the worker as an error of its own. Such lines are logged at debug.
 */
const transient = [
  /not the leader/i,
  /leader not available/i,
  /NOT_LEADER/,
  /LEADER_NOT_AVAILABLE/,
  /coordinator (is )?(not available|loading)/i,
  /not (the )?coordinator/i,
  /COORDINATOR_(NOT_AVAILABLE|LOAD_IN_PROGRESS)/,
  /NOT_COORDINATOR/,
  /rebalanc/i,
  /REBALANCE_IN_PROGRESS/,
  /does not host this topic-partition/i,
  /UNKNOWN_TOPIC_OR_PARTITION/,
  /The group member needs to have a valid member id/i,
  /Restarting the consumer/i,
];

/** True for a kafkajs log line that describes a condition kafkajs retries (see `transient`). */
export function isTransientKafkaLog(entry: { readonly message?: unknown; readonly error?: unknown; readonly type?: unknown }): boolean {
  const text = [entry.message, entry.error, entry.type].filter((v) => typeof v === 'string').join(' ');
  return transient.some((pattern) => pattern.test(text));
}

function levelOf(level: kafkaLevel): LogLevel {
  switch (level) {
    case kafkaLevel.ERROR:
    case kafkaLevel.NOTHING:
      return 'error';
    case kafkaLevel.WARN:
      return 'warn';
    case kafkaLevel.INFO:
      return 'info';
    default:
      return 'debug';
  }
}

/** A kafkajs `logCreator` writing through faustgen's logger (scope `kafka <namespace>`), in its format. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () => (entry: LogEntry) => {
    const { message, timestamp: _timestamp, logger: _kafkajs, ...fields } = entry.log as LogEntry['log'] & { logger?: unknown };
    let level = levelOf(entry.level);
    if ((level === 'error' || level === 'warn') && isTransientKafkaLog({ message, ...fields })) level = 'debug';
    const scoped = logger.child(entry.namespace === '' ? 'kafka' : `kafka ${entry.namespace}`);
    if (!scoped.enabled(level)) return;
    scoped[level](message, fields);
  };
}
