import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

interface Run {
  readonly code: number | null;
  readonly lines: string[];
  readonly stderr: string;
}

function startWorker(mode: string, signals: readonly NodeJS.Signals[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/runtime/worker-app.ts', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter((l) => l !== '')) {
        lines.push(line);
        if (line === 'ready') {
          setTimeout(() => {
            // Signals sent a few ms apart can reach a busy process as one; 'slowstop' takes 3 s to stop.
            for (const [i, signal] of signals.entries()) setTimeout(() => child.kill(signal), i * 500);
          }, 50);
        }
      }
    });
    child.on('exit', (code) => resolve({ code, lines, stderr }));
  });
}

test('SIGTERM stops the worker gracefully: in-flight work finishes, is committed, exit code 0', async () => {
  const run = await startWorker('ok', ['SIGTERM']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.lines.at(-1) ?? '{}') as { processed: number; committed: number };
  assert.ok(summary.processed > 0 && summary.processed < 1000, `stopped mid-stream (${summary.processed})`);
  assert.equal(summary.committed, summary.processed, 'final commit covers exactly the processed events');
});

test('a second signal exits at once with code 130', async () => {
  const run = await startWorker('slowstop', ['SIGINT', 'SIGINT']);
  assert.equal(run.code, 130, run.stderr);
  assert.match(run.stderr, /again: exiting now/);
});

test('an agent crash stops the worker with exit code 1', async () => {
  const run = await startWorker('crash', []);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /crash on purpose/);
  const summary = JSON.parse(run.lines.at(-1) ?? '{}') as { processed: number; committed: number | undefined };
  assert.ok((summary.committed ?? 0) <= 2, 'the failed event is not committed');
});
