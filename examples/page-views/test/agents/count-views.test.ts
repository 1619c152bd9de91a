// faustgen:stub agent-test count-views
// This file is yours: faustgen wrote it once and never touches it again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestDriver } from 'faustgen/testing';
import { buildApp } from '../../src/generated/app.js';
import { PageView } from '../../src/generated/models.js';
import type { PageViewMinute } from '../../src/generated/models.js';
import type { Tables } from '../../src/generated/tables.js';

const minute = 60_000;

test('views are counted per page and per minute of event time, and closed windows are published', async () => {
  let tables: Tables | undefined;
  await using driver = await startTestDriver((testing) => {
    const built = buildApp(testing);
    tables = built.tables;
    return built.app;
  });
  const t0 = driver.clock.now();
  const view = (page: string, user: string, timestamp: number) => driver.send('page-views', { key: page, value: new PageView({ page, user }), timestamp });
  await view('/home', 'ada', t0 + 10_000);
  await view('/home', 'grace', t0 + 50_000);
  await view('/pricing', 'ada', t0 + 30_000);
  await view('/home', 'alan', t0 + minute + 5_000);
  await driver.settle();

  const perMinute = tables?.viewsPerMinute;
  assert.ok(perMinute);
  assert.equal(perMinute.at('/home', t0), 2);
  assert.equal(perMinute.at('/home', t0 + minute), 1);
  assert.equal(perMinute.at('/pricing', t0 + 59_999), 1);
  assert.equal(perMinute.at('/pricing', t0 + minute), 0);
  assert.deepEqual(perMinute.windows('/home', t0 + 1).map((entry) => [entry.range.start - t0, entry.range.end - t0, entry.value]), [[0, minute, 2]]);
  assert.deepEqual(driver.records('page-view-minutes'), []);

  // An hour after a window ends (the expiry), the cleanup timer closes it: publish-minute sends its
  // final count and the window is deleted.
  await driver.advanceTime(2 * minute + 60 * minute + 30_000);
  await driver.settle();
  const published = driver.records<string, PageViewMinute>('page-view-minutes').map((record) => record.value);
  const summary = published.map((entry) => `${entry.page} ${entry.window_start} ${entry.views}`).sort();
  assert.deepEqual(summary, [
    '/home 2024-01-01T00:00:00.000Z 2',
    '/home 2024-01-01T00:01:00.000Z 1',
    '/pricing 2024-01-01T00:00:00.000Z 1',
  ]);
  assert.equal(published.find((entry) => entry.page === '/pricing')?.window_end, '2024-01-01T00:01:00.000Z');
  assert.equal(perMinute.at('/home', t0), 0);
});

test('a window does not close before its expiry', async () => {
  await using driver = await startTestDriver((testing) => buildApp(testing).app);
  const t0 = driver.clock.now();
  await driver.send('page-views', { key: '/home', value: new PageView({ page: '/home', user: 'ada' }), timestamp: t0 });
  await driver.settle();
  await driver.advanceTime(30 * minute);
  await driver.settle();
  assert.deepEqual(driver.records('page-view-minutes'), []);
});
