// The default Kafka client needs Node >= 22.22 (@platformatic/kafka 2.x); apps on Node 20 must keep
// running, so kafka:// falls back to kafkajs there (and says so), and kafka+platformatic:// is refused
// before the library is imported, saying what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { nodeRunsPlatformatic, requireNodeForPlatformatic } from '../../../runtime/src/transport/platformatic-node.js';
import { parseBrokerUrl } from '../../../runtime/src/app/settings.js';
import { createTransport } from '../../../runtime/src/transport/create.js';
import type { Logger } from '../../../runtime/src/core/logger.js';

test('Node versions that run @platformatic/kafka 2.x', () => {
  for (const version of ['22.22.0', '22.23.3', 'v22.22.1', '23.0.0', '24.6.0', '25.1.0']) assert.equal(nodeRunsPlatformatic(version), true, version);
  for (const version of ['20.20.2', '21.7.3', '22.21.9', '22.9.0', '']) assert.equal(nodeRunsPlatformatic(version), false, version);
});

test('kafka+platformatic:// on Node 20 is refused with FG_SETTING_INVALID naming the broker setting and the Node needed', () => {
  assert.throws(
    () => requireNodeForPlatformatic('kafka+platformatic://h1:9092', '20.20.2'),
    (error: unknown) =>
      FaustgenError.hasCode(error, 'FG_SETTING_INVALID') &&
      error.kind === 'user' &&
      error.details['setting'] === 'broker' &&
      /Node >= 22\.22\.0, this is Node 20\.20\.2/.test(error.message) &&
      /kafka\+kafkajs:\/\/ \(kafkajs/.test(error.message),
  );
  assert.doesNotThrow(() => requireNodeForPlatformatic('kafka+platformatic://h1:9092', '22.23.3'));
});

test('kafka:// on Node 20 runs kafkajs and the worker log says why it is not on the default client', async () => {
  const warnings: string[] = [];
  const logger: Logger = {
    level: 'info',
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => void warnings.push(message),
    error: () => undefined,
    child: () => logger,
    enabled: () => true,
  };
  const transport = await createTransport(parseBrokerUrl('kafka://h1:9092', '20.20.2'), { clientId: 'x', startupTimeoutMs: 1_000, logger });
  assert.equal(transport.driver, 'kafka');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /runs on kafkajs: the default Kafka client, @platformatic\/kafka, needs Node >= 22\.22\.0.*kafka\+kafkajs:\/\//);
  const chosen = await createTransport(parseBrokerUrl('kafka+kafkajs://h1:9092', '20.20.2'), { clientId: 'x', startupTimeoutMs: 1_000, logger });
  assert.equal(chosen.driver, 'kafka');
  assert.equal(warnings.length, 1, 'kafka+kafkajs:// chose kafkajs: nothing to say');
});
