import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCron } from '../../../runtime/src/app/cron.js';
import { ManualClock } from '../../../runtime/src/core/clock.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import { getMemoryBroker, memoryBrokerName } from '../../../runtime/src/transport/memory/registry.js';
import { brokerUrl, testApp, waitFor } from './helpers.js';

test('timers run on the app clock; leader-only timers run on the leader; tasks run once', async () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1));
  const { app } = testApp({}, { clock });
  let ticks = 0;
  let leaderTicks = 0;
  let tasks = 0;
  app.timer('tick', { intervalMs: 1000 }, () => ticks++);
  app.timer('leader-tick', { intervalMs: 500, onLeader: true }, () => leaderTicks++);
  app.task('once', () => tasks++);
  await app.start();
  try {
    await waitFor(() => tasks === 1, 'task');
    await clock.advance(3000);
    assert.equal(ticks, 3);
    assert.equal(app.isLeader(), true);
    assert.equal(leaderTicks, 6);
    assert.equal(tasks, 1);
  } finally {
    await app.stop();
  }
});

test('crontab expressions fire at wall-clock times in their time zone', () => {
  const paris = parseCron('0 3 * * *', 'Europe/Paris');
  // 2024-03-30 12:00 UTC; 03:00 Paris on 03-31 is 01:00 UTC (DST starts that night).
  assert.equal(new Date(paris.next(Date.UTC(2024, 2, 30, 12))).toISOString(), '2024-03-31T01:00:00.000Z');
  assert.equal(new Date(paris.next(Date.UTC(2024, 2, 31, 1))).toISOString(), '2024-04-01T01:00:00.000Z');
  const every15 = parseCron('*/15 9-17 * * mon-fri');
  assert.equal(new Date(every15.next(Date.UTC(2024, 0, 6, 10))).toISOString(), '2024-01-08T09:00:00.000Z', 'Saturday → Monday 09:00');
  assert.equal(new Date(every15.next(Date.UTC(2024, 0, 8, 9, 7))).toISOString(), '2024-01-08T09:15:00.000Z');
  assert.throws(() => parseCron('* * *'), (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID'));
  assert.throws(() => parseCron('61 * * * *'), /Invalid value for minute: 61/);
  assert.throws(() => parseCron('0 0 * * *', 'Mars/Olympus'), /unknown time zone/);
});

test('crontab jobs run on the manual clock', async () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 0, 0, 30));
  const { app } = testApp({}, { clock });
  const runs: string[] = [];
  app.crontab('every-minute', { cron: '* * * * *' }, () => runs.push(new Date(clock.now()).toISOString()));
  await app.start();
  try {
    await clock.advance(120_000);
    assert.deepEqual(runs, ['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
  } finally {
    await app.stop();
  }
});

test('an app is an async disposable: `await using` stops it at the end of the scope', async () => {
  let stopped = false;
  {
    await using scoped = testApp({}).app;
    scoped.onShutdown(() => {
      stopped = true;
    });
    await scoped.start();
    assert.equal(scoped.state, 'running');
  }
  assert.equal(stopped, true);
});

test('a task runs once after the app is ready; an onLeader task runs only on the worker that is the leader then', async () => {
  const broker = brokerUrl();
  const runs = { a: [] as string[], b: [] as string[] };
  const worker = (name: 'a' | 'b') => {
    const { app } = testApp({ id: 'tasks', broker });
    const table = app.table('t', { key: codecs.string, value: codecs.number, usePartitioner: true, partitions: 2 });
    app.task('everywhere', () => runs[name].push(`everywhere ready=${String(app.recovering === false)}`));
    app.task('leader-only', () => runs[name].push(`leader-only leader=${String(app.isLeader())}`), { onLeader: true });
    app.task('reads-table', () => runs[name].push(`table has ${String(table.has('x'))}`));
    return app;
  };
  const a = worker('a');
  await a.start();
  const b = worker('b');
  try {
    await waitFor(() => runs.a.length === 3, 'tasks of the first worker');
    assert.deepEqual(runs.a, ['everywhere ready=true', 'leader-only leader=true', 'table has false']);
    await b.start();
    assert.ok(runs.b.includes('table has false'), 'every task ran by the time start() resolved');
    await waitFor(() => a.isLeader() !== b.isLeader(), 'one leader');
    assert.equal(runs.a.filter((run) => run.startsWith('leader-only')).length, 1, 'a task runs once, also across a rebalance');
    assert.deepEqual(runs.b.filter((run) => run.startsWith('leader-only')), b.isLeader() ? ['leader-only leader=true'] : []);
    assert.equal(runs.b.filter((run) => run.startsWith('everywhere')).length, 1);
  } finally {
    await b.stop();
    await a.stop();
  }
});

test('a task runs after the tables are recovered: it reads what the changelog holds', async () => {
  const broker = brokerUrl();
  const memory = getMemoryBroker(memoryBrokerName(broker));
  memory.createTopic('recovered-task-counts-changelog', 2);
  memory.log('recovered-task-counts-changelog', 1).append({ key: Buffer.from('k'), value: Buffer.from('41'), headers: {}, timestamp: 0 });
  const { app } = testApp({ id: 'recovered-task', broker });
  const counts = app.table('counts', { key: codecs.string, value: codecs.number, usePartitioner: true, partitions: 2 });
  const seen: (number | undefined)[] = [];
  app.task('read', () => seen.push(counts.get('k')));
  await app.start();
  try {
    assert.deepEqual(seen, [41]);
  } finally {
    await app.stop();
  }
});
