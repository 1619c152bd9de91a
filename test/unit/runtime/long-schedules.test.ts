import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCron } from '../../../runtime/src/app/cron.js';
import { ManualClock, maxTimerDelayMs, systemClock, type Clock } from '../../../runtime/src/core/clock.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { sleep, testApp } from './helpers.js';

// Issue 13: a timer of 24.9 days or more, and monthly or yearly crontabs, fired about every
// millisecond: setTimeout turns any delay above 2^31 - 1 ms into 1 ms.

test('the system clock sleeps longer than setTimeout allows (2^31 - 1 ms) without waking early', async () => {
  const abort = new AbortController();
  let woke = false;
  const slept = systemClock.sleep(maxTimerDelayMs + 1_000, abort.signal).then(
    () => (woke = true),
    () => undefined,
  );
  await sleep(100);
  assert.equal(woke, false, 'a 24.9-day sleep ended after 100 ms');
  abort.abort(new Error('done'));
  await slept;
  assert.equal(woke, false);
});

test('the system clock still wakes short sleeps', async () => {
  const before = Date.now();
  await systemClock.sleep(5);
  assert.ok(Date.now() >= before);
});

/** The system clock's timers, but reading a wall clock set to 5 December 2026 12:00 UTC (27 days before the next 1st). */
function december5(): Clock {
  const offset = Date.UTC(2026, 11, 5, 12) - Date.now();
  return { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

test('a monthly crontab and a 30-day timer on the system clock do not fire in a loop (0 0 1 * * ran 26 times in 3 s)', async () => {
  const { app, logs } = testApp({}, { clock: december5() });
  let monthly = 0;
  let yearly = 0;
  let timer = 0;
  app.crontab('monthly', { cron: '0 0 1 * *' }, () => monthly++);
  app.crontab('yearly', { cron: '0 0 1 1 *', timezone: 'Europe/Paris' }, () => yearly++);
  app.timer('every-30-days', { intervalMs: 30 * 24 * 3600_000 }, () => timer++);
  await app.start();
  try {
    await sleep(300);
    assert.deepEqual({ monthly, yearly, timer }, { monthly: 0, yearly: 0, timer: 0 });
  } finally {
    await app.stop();
  }
  assert.equal(logs.lines.filter((line) => line.includes('failed')).length, 0);
});

test('monthly and yearly crontabs and a 30-day timer fire exactly on time on the manual clock', async () => {
  const clock = new ManualClock(Date.UTC(2026, 11, 5, 12));
  const { app } = testApp({}, { clock });
  const monthly: string[] = [];
  const yearly: string[] = [];
  const timer: string[] = [];
  app.crontab('monthly', { cron: '0 0 1 * *' }, () => monthly.push(new Date(clock.now()).toISOString()));
  app.crontab('yearly', { cron: '0 0 1 1 *', timezone: 'Europe/Paris' }, () => yearly.push(new Date(clock.now()).toISOString()));
  app.timer('every-30-days', { intervalMs: 30 * 24 * 3600_000 }, () => timer.push(new Date(clock.now()).toISOString()));
  await app.start();
  try {
    for (let day = 0; day < 70; day++) await clock.advance(24 * 3600_000);
    assert.deepEqual(monthly, ['2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z']);
    assert.deepEqual(yearly, ['2026-12-31T23:00:00.000Z'], 'midnight in Paris');
    assert.deepEqual(timer, ['2027-01-04T12:00:00.000Z', '2027-02-03T12:00:00.000Z']);
  } finally {
    await app.stop();
  }
});

test('crontabs that are invalid or never fire are refused when parsed, with the reason', () => {
  const invalid = (e: unknown): boolean => FaustgenError.hasCode(e, 'FG_SETTING_INVALID');
  assert.throws(() => parseCron('61 * * * *'), (e: unknown) => invalid(e) && /minute: 61/.test((e as Error).message));
  assert.throws(() => parseCron('0 25 * * *'), invalid);
  assert.throws(() => parseCron('*/0 * * * *'), invalid);
  assert.throws(() => parseCron('* * * * * *'), invalid, 'six fields (seconds) are not a crontab');
  assert.throws(() => parseCron('0 0 30 2 *'), (e: unknown) => invalid(e) && /never fires/.test((e as Error).message));
  assert.equal(new Date(parseCron('@monthly').next(Date.UTC(2026, 11, 5))).toISOString(), '2027-01-01T00:00:00.000Z');
  // Vixie cron: both day fields restricted, either matches (the 1st, or a Monday).
  assert.equal(new Date(parseCron('0 0 1 * mon').next(Date.UTC(2026, 11, 5))).toISOString(), '2026-12-07T00:00:00.000Z');
});
