import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { App } from '../../../runtime/src/app/app.js';
import { codecs } from '../../../runtime/src/serde/codecs.js';
import type { Table } from '../../../runtime/src/tables/table.js';
import type { Topic } from '../../../runtime/src/topics/topic.js';
import { startKafkaCluster, type KafkaCluster } from '../../kafka/broker.js';
import { createKafkaTransport } from '../../../runtime/src/transport/kafka/index.js';
import { createTopics } from '../../kafka/global.js';
import { TopicTail, WorkerProcess, feedUrl, highWaterMarks, kafkaApp, uniqueName, waitFor } from './app-helpers.js';

interface Account {
  readonly owner: string;
  readonly balance: number;
  readonly history: readonly number[];
}

type Command = { readonly op: 'deposit'; readonly amount: number } | { readonly op: 'close' };

const PARTITIONS = 4;

/** The same app definition for each run: commands update or delete accounts in a table. */
function accountsApp(bootstrap: string, id: string, source: string): { app: App; commands: Topic<string, Command>; accounts: Table<string, Account, Account | undefined>; processed: () => number } {
  const { app } = kafkaApp(bootstrap, { id, store: 'memory://' });
  const commands = app.topic(source, { key: codecs.string, value: codecs.json<Command>(), partitions: PARTITIONS });
  const accounts = app.table('accounts', { key: codecs.string, value: codecs.json<Account>(), partitions: PARTITIONS });
  let processed = 0;
  app.agent('apply', { source: commands, tables: [accounts] }, async (stream) => {
    for await (const event of stream.events()) {
      const command = event.value;
      if (command.op === 'close') accounts.delete(event.key);
      else {
        const old = accounts.get(event.key) ?? { owner: event.key, balance: 0, history: [] };
        accounts.set(event.key, { owner: old.owner, balance: old.balance + command.amount, history: [...old.history, command.amount] });
      }
      processed++;
    }
  });
  return { app, commands, accounts, processed: () => processed };
}

describe('table contents survive a worker restart through the changelog on Kafka', () => {
  let cluster: KafkaCluster;
  const apps: App[] = [];

  before(async () => {
    cluster = await startKafkaCluster({ nodes: 1 });
  });

  after(async () => {
    await WorkerProcess.killAll();
    for (const app of apps) await app.stop().catch(() => undefined);
    await cluster?.stop();
  });

  test('a restarted worker (memory store) replays the changelog and holds exactly the same entries', async () => {
    const id = uniqueName('accounts');
    const source = uniqueName('account-commands');

    const first = accountsApp(cluster.bootstrap, id, source);
    apps.push(first.app);
    await first.app.start();
    await first.app.whenReady();
    // 300 accounts, 3 deposits each; every 10th account is closed (a tombstone in the changelog).
    const expected = new Map<string, Account>();
    const sends: Promise<unknown>[] = [];
    let commandCount = 0;
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 300; i++) {
        const key = `acct-${i}`;
        sends.push(first.commands.send({ key, value: { op: 'deposit', amount: round * 10 + (i % 7) } }));
        commandCount++;
        const old = expected.get(key) ?? { owner: key, balance: 0, history: [] };
        expected.set(key, { owner: key, balance: old.balance + round * 10 + (i % 7), history: [...old.history, round * 10 + (i % 7)] });
      }
    }
    for (let i = 0; i < 300; i += 10) {
      sends.push(first.commands.send({ key: `acct-${i}`, value: { op: 'close' } }));
      commandCount++;
      expected.delete(`acct-${i}`);
    }
    await Promise.all(sends);
    await waitFor(() => first.processed() === commandCount && first.app.idle(), () => `first run to apply ${commandCount} commands (at ${first.processed()})`);
    const before = new Map(first.accounts.entries());
    assert.deepEqual(before, expected, 'first run holds what the commands say');
    await first.app.stop();

    const changelog = await highWaterMarks(cluster.bootstrap, `${id}-accounts-changelog`);
    const changelogRecords = [...changelog.values()].reduce((sum, n) => sum + n, 0);
    // Writes of one key within a commit interval coalesce into its last value (tombstones included):
    // at least one record per account, at most one per write.
    assert.ok(changelogRecords >= 300 && changelogRecords <= commandCount, `between one changelog record per key and one per write: ${changelogRecords} for ${commandCount} writes`);

    // A new process-like instance: nothing carried over but the group id and the broker.
    const second = accountsApp(cluster.bootstrap, id, source);
    apps.push(second.app);
    await second.app.start();
    await second.app.whenReady();
    assert.equal(second.app.recoveryReplayed.get('accounts'), changelogRecords, 'memory store: the whole changelog is replayed');
    assert.deepEqual(new Map(second.accounts.entries()), expected, 'same entries after the restart');
    assert.equal(second.accounts.get('acct-0'), undefined, 'a deleted key stays deleted');
    assert.equal(second.processed(), 0, 'committed commands are not processed again');

    // The recovered table keeps working: a new command builds on the recovered state.
    await second.commands.send({ key: 'acct-1', value: { op: 'deposit', amount: 1000 } });
    await waitFor(() => second.processed() === 1 && second.app.idle(), 'the new command');
    const acct1 = expected.get('acct-1');
    assert.ok(acct1);
    assert.deepEqual(second.accounts.get('acct-1'), { ...acct1, balance: acct1.balance + 1000, history: [...acct1.history, 1000] });
  });

  test('a worker process restarted with SIGTERM continues counting from the recovered table', async () => {
    const appId = uniqueName('restart-proc');
    const source = uniqueName('rp-source');
    const output = uniqueName('rp-output');
    await createTopics(cluster.bootstrap, [{ topic: source, numPartitions: 3 }, { topic: output, numPartitions: 3 }]);
    const env = { FG_BOOTSTRAP: cluster.bootstrap, FG_APP_ID: appId, FG_SOURCE: source, FG_OUTPUT: output, FG_PARTITIONS: '3' };
    const producer = createKafkaTransport(feedUrl(cluster.bootstrap), { clientId: 'restart-test', logLevel: 'nothing' }).createProducer();
    await producer.start();
    const tail = await TopicTail.start(cluster.bootstrap, output);
    const keys = Array.from({ length: 500 }, (_, i) => `key-${i}`);
    const sendAll = (n: number): Promise<unknown> =>
      Promise.all(keys.map((key) => producer.send({ topic: source, key: Buffer.from(key), value: Buffer.from(JSON.stringify({ n })) })));
    try {
      const first = new WorkerProcess('first', 'test/fixtures/kafka-apps/counting-worker.ts', { ...env, FG_WORKER: 'first' });
      await first.waitForLine((l) => l.event === 'ready', 'ready');
      await sendAll(1);
      await waitFor(() => tail.records.length >= keys.length, () => `first run output (${tail.records.length})`);
      assert.equal((await first.stop()).code, 0, first.stderr.slice(-3000));

      const second = new WorkerProcess('second', 'test/fixtures/kafka-apps/counting-worker.ts', { ...env, FG_WORKER: 'second' });
      await second.waitForLine((l) => l.event === 'ready', 'ready');
      await sendAll(2);
      await waitFor(() => tail.records.length >= 2 * keys.length, () => `second run output (${tail.records.length})`);
      assert.equal((await second.stop()).code, 0, second.stderr.slice(-3000));
      const records = await tail.drain();
      assert.equal(records.length, 2 * keys.length, 'every event processed once');
      const secondRun = records
        .map((r) => ({ key: r.key?.toString(), ...(JSON.parse(r.value?.toString() ?? '{}') as { n: number; seen: number; worker: string }) }))
        .filter((v) => v.worker === 'second');
      assert.equal(secondRun.length, keys.length);
      const wrong = secondRun.filter((v) => v.n !== 2 || v.seen !== 2);
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} keys did not see the first run's count`);
    } finally {
      await tail.stop();
      await producer.stop();
    }
  });
});
