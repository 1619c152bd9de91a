import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(repoRoot, 'bin/run.js');

function worker(topology: string): { status: number | null; stderr: string } {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-exit-'));
  try {
    writeFileSync(join(root, 'faustgen.yaml'), topology);
    const result = spawnSync(process.execPath, [bin, 'worker'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Issue 13: the README says `worker` exits 2 on a configuration error; it exited 1.
test('faustgen worker exits 2 on a broken faustgen.yaml, with one line per problem and no stack', () => {
  const result = worker(['app: demo', 'agents:', '  - name: printer', '    source: nowhere', ''].join('\n'));
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /^error FG_\w+: faustgen\.yaml:4:\d+ .*unknown topic "nowhere"/m);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('faustgen worker exits 2 when the project was never generated', () => {
  const result = worker(['app: demo', ''].join('\n'));
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /error FG_CODEGEN_STALE: .*main\.ts does not exist; run `faustgen codegen` first/);
});
