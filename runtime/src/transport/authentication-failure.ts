import { FaustgenError } from '../core/errors.js';
import type { KafkaDriverOptions } from './kafka-options.js';

/**
 * The broker refused the credentials: retrying cannot fix it. One message for both Kafka drivers,
 * naming the brokers, the mechanism and user tried, what the broker said, and where to fix it.
 */
export function authenticationFailure(error: unknown, options: KafkaDriverOptions, brokerSaid: string): FaustgenError {
  const who = options.sasl === undefined ? 'no SASL configured' : options.sasl.mechanism === 'oauthbearer' ? 'SASL OAUTHBEARER' : `SASL ${options.sasl.mechanism.toUpperCase()} as "${options.sasl.username}"`;
  return new FaustgenError('FG_BROKER_AUTH', `authentication to Kafka brokers ${options.brokers.join(', ')} failed (${who}): ${brokerSaid}; check security.sasl in faustgen.yaml and FAUSTGEN_KAFKA_SASL_USERNAME / FAUSTGEN_KAFKA_SASL_PASSWORD`, {
    kind: 'user',
    cause: error,
    details: { brokers: options.brokers, mechanism: options.sasl?.mechanism ?? null },
  });
}
