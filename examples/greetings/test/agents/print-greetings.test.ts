// faustgen:stub agent-test print-greetings
// This file is yours: faustgen wrote it once and never touches it again.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { startTestDriver } from 'faustgen/testing';
import { buildApp } from '../../src/generated/app.js';
import type { Tables } from '../../src/generated/tables.js';
import { Greeting } from '../../src/generated/models.js';

/** Captures console.log lines while `body` runs. */
async function printed(body: () => Promise<void>): Promise<string[]> {
  const log = mock.method(console, 'log', () => undefined);
  try {
    await body();
    return log.mock.calls.map((call) => call.arguments.map(String).join(' '));
  } finally {
    log.mock.restore();
  }
}

test('print-greetings prints each greeting and counts it for its sender', async () => {
  let tables: Tables | undefined;
  await using driver = await startTestDriver((testing) => {
    const built = buildApp(testing);
    tables = built.tables;
    return built.app;
  });
  const lines = await printed(async () => {
    await driver.send('greetings', { key: 'Ada', value: new Greeting({ from_name: 'Ada', to_name: 'Grace' }) });
    await driver.send('greetings', { key: 'Ada', value: new Greeting({ from_name: 'Ada', to_name: 'Alan' }) });
    await driver.settle();
  });
  assert.deepEqual(lines, ['Hello from Ada to Grace (Ada has sent 1)', 'Hello from Ada to Alan (Ada has sent 2)']);
  assert.equal(tables?.greetingsSent.get('Ada'), 2);
  assert.equal(tables?.greetingsSent.get('Grace'), 0);
});

test('the send-greeting timer sends one greeting per second', async () => {
  await using driver = await startTestDriver((testing) => buildApp(testing).app);
  const lines = await printed(async () => {
    for (let second = 0; second < 3; second++) await driver.advanceTime(1000);
    await driver.settle();
  });
  const greetings = driver.records<string, Greeting>('greetings');
  assert.equal(greetings.length, 3);
  for (const record of greetings) assert.equal(record.key, record.value.from_name);
  assert.equal(lines.length, 3);
  for (const line of lines) assert.match(line, /^Hello from (Faust|Gretchen|Mephisto|Wagner) to (Faust|Gretchen|Mephisto|Wagner) \(\w+ has sent 1\)$/);
});
