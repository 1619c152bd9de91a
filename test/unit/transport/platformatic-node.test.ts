// The second driver needs Node >= 22.22 (@platformatic/kafka 2.x); kafkajs users on Node 20 must
// not be affected, so the check runs only when kafka+platformatic:// is chosen, before the library
// is imported, and says what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { nodeRunsPlatformatic, requireNodeForPlatformatic } from '../../../runtime/src/transport/platformatic-node.js';

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
      /kafka:\/\/ \(kafkajs/.test(error.message),
  );
  assert.doesNotThrow(() => requireNodeForPlatformatic('kafka+platformatic://h1:9092', '22.23.3'));
});
