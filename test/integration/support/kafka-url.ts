/**
 * Broker URLs for integration tests and their worker fixtures (which run as child processes, so
 * this module imports nothing heavy). The scheme comes from the runtime's list, so the tests name a
 * client exactly as a user would.
 */
import { KAFKA_URL_SCHEMES, type KafkaClientChoice } from '../../../runtime/src/app/broker-schemes.js';

// Brokers are `host:port;host:port` in a faustgen URL; the test harness hands them out comma-separated.
const hostList = (bootstrap: string): string => bootstrap.replaceAll(',', ';');

/** FAUSTGEN_TEST_KAFKA_CLIENT (`platformatic` or `kafkajs`) as a client choice; unset or else, the default. */
function testKafkaClient(): KafkaClientChoice {
  const named = process.env['FAUSTGEN_TEST_KAFKA_CLIENT'];
  return named === 'platformatic' || named === 'kafkajs' ? named : 'default';
}

/**
 * The broker URL of apps under test: `kafka://` (the default client), or the client that
 * FAUSTGEN_TEST_KAFKA_CLIENT names, to run the same tests on each.
 */
export const kafkaUrl = (bootstrap: string): string => `${KAFKA_URL_SCHEMES[testKafkaClient()]}://${hostList(bootstrap)}`;

/** For test feeders and readers on the kafkajs driver, whichever driver the apps use. */
export const feedUrl = (bootstrap: string): string => `kafka://${hostList(bootstrap)}`;
