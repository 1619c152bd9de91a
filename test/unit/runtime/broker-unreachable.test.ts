import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { testApp } from './helpers.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

// Issue 13: an unreachable broker meant 30 s of silence, then an error naming `startupTimeoutMs`
// while the README and the settings call it `brokerStartupTimeoutMs`.
test('an unreachable broker: progress lines while retrying, then FG_BROKER_UNREACHABLE naming brokerStartupTimeoutMs', async () => {
  const port = await closedPort();
  const { app, logs } = testApp({ broker: `kafka://127.0.0.1:${port}`, brokerStartupTimeoutMs: 2_000 });
  app.topic('anything', { partitions: 1 });
  const error = await app.start().then(
    () => assert.fail('start() succeeded without a broker'),
    (e: unknown) => e,
  );
  await app.stop().catch(() => undefined);
  assert.ok(FaustgenError.hasCode(error, 'FG_BROKER_UNREACHABLE'), String(error));
  assert.match((error as Error).message, /\(brokerStartupTimeoutMs = 2000\)/);
  const progress = logs.lines.filter((line) => line.includes('still waiting for Kafka brokers 127.0.0.1:'));
  assert.ok(progress.length >= 1, logs.lines.join('\n'));
  assert.match(progress[0] ?? '', /retrying until brokerStartupTimeoutMs \(2000 ms\)/);
});
