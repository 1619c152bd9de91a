import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { rocksdbStoreDriver } from '../../../runtime/src/stores/rocksdb-store.js';
import { makeTempDir } from './temp-dir.js';

const childScript = fileURLToPath(new URL('./fixtures/lock-child.ts', import.meta.url));

function startChild(mode: 'hold' | 'try' | 'crash', datadir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', childScript, mode, datadir], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the child's first stdout line; rejects with its stderr if it exits first. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`child exited with ${String(code)} before writing a line: ${err}`)));
  });
}

const factory = (datadir: string) => ({ appId: 'app', table: 'counts', datadir });

describe('rocksdb store lock across processes', () => {
  test('a partition held by another process fails with FG_STORE_LOCKED, and opens once that process dies', { timeout: 60_000 }, async () => {
    const dir = makeTempDir('rocksdb-lock-child-holds');
    const holder = startChild('hold', dir.path);
    try {
      assert.equal(await firstLine(holder), 'held');
      const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory(dir.path));
      await assert.rejects(tables.openPartition(0), (error: unknown) => {
        assert.ok(FaustgenError.hasCode(error, 'FG_STORE_LOCKED'), String(error));
        assert.match(error.message, /counts-0\.db/);
        assert.match(error.message, /Stop the other worker/);
        assert.equal(error.retriable, true);
        return true;
      });
      // SIGKILL, like a crashed worker: the OS drops the lock with the process.
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const store = await tables.openPartition(0);
      assert.equal(store.size(), 0);
      await tables.close();
    } finally {
      if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
      dir.cleanup();
    }
  });

  test('a process that tries to open a partition this process holds gets FG_STORE_LOCKED', { timeout: 60_000 }, async () => {
    const dir = makeTempDir('rocksdb-lock-parent-holds');
    const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory(dir.path));
    try {
      await tables.openPartition(0);
      const intruder = startChild('try', dir.path);
      const outcome = JSON.parse(await firstLine(intruder)) as { opened: boolean; code?: string; message?: string };
      await once(intruder, 'exit');
      assert.equal(outcome.opened, false);
      assert.equal(outcome.code, 'FG_STORE_LOCKED');
      assert.match(outcome.message ?? '', /counts-0\.db.*--datadir/);
    } finally {
      await tables.close();
      dir.cleanup();
    }
  });

  test('a batch applied by a process that is then SIGKILLed is there on reopen, with its offset', { timeout: 60_000 }, async () => {
    const dir = makeTempDir('rocksdb-crash');
    try {
      const child = startChild('crash', dir.path);
      const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      assert.equal(signal, 'SIGKILL');
      const tables = await rocksdbStoreDriver.open(new URL('rocksdb://'), factory(dir.path));
      const store = await tables.openPartition(0);
      assert.equal(store.persistedOffset(), 41);
      assert.equal(store.size(), 1_000);
      assert.equal(store.get(Buffer.from('k999'))?.toString(), 'v999');
      await tables.close();
    } finally {
      dir.cleanup();
    }
  });
});
