import type { Logger } from '../core/logger.js';
import type { AppSettings } from './settings.js';

/**
 * The options the app hands to the kafka:// driver: the group liveness settings (session timeout,
 * heartbeat and rebalance timeout) and the app's logger for the faults the driver rides out, under
 * whatever the caller passed as `AppOptions.kafka` (which wins, field by field).
 */
export function kafkaDriverSettings(settings: AppSettings, explicit: Readonly<Record<string, unknown>> | undefined, log: Logger): Record<string, unknown> {
  const consumer = explicit?.['consumer'];
  return {
    log,
    ...explicit,
    consumer: {
      sessionTimeoutMs: settings.sessionTimeoutMs,
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      rebalanceTimeoutMs: settings.rebalanceTimeoutMs,
      ...(typeof consumer === 'object' && consumer !== null ? consumer : {}),
    },
  };
}
