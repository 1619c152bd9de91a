import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generate } from '../../../../generator/src/pipeline.js';
import { fakeModels, fixtures, tempProject } from './project.js';

const topology = readFileSync(join(fixtures, 'valid/greetings.yaml'), 'utf8');
const run = (root: string, check = false) => generate({ projectRoot: root, check }, { generateModels: fakeModels });

function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

describe('regeneration', () => {
  test('a first run writes generated files, handler stubs and test stubs', async () => {
    const project = tempProject(topology);
    try {
      const result = await run(project.root);
      assert.deepEqual(result.diagnostics, []);
      for (const file of ['app.ts', 'topics.ts', 'tables.ts', 'agents.ts', 'handlers.ts', 'schedules.ts', 'main.ts', 'registry.ts', 'settings.ts', '.faustgen.json']) {
        assert.ok(existsSync(join(project.root, 'src/generated', file)), file);
      }
      assert.deepEqual([...result.userStubsAdded].sort(), [
        'src/agents/audit.ts', 'src/agents/count-by-recipient.ts', 'src/agents/counts-page.ts', 'src/agents/forward.ts',
        'src/agents/log-recent.ts', 'src/agents/nightly-report.ts', 'src/agents/print-greetings.ts', 'src/agents/report-minute.ts', 'src/agents/send-greeting.ts',
        'test/agents/audit.test.ts', 'test/agents/count-by-recipient.test.ts', 'test/agents/forward.test.ts', 'test/agents/print-greetings.test.ts',
      ]);
      const marker = JSON.parse(readFileSync(join(project.root, 'src/generated/.faustgen.json'), 'utf8')) as { inputs: Record<string, string>; files: Record<string, string> };
      assert.deepEqual(Object.keys(marker.inputs), ['faustgen.yaml', 'schemas/greeting.avsc']);
      assert.ok(marker.files['agents.ts']?.match(/^[0-9a-f]{64}$/));
    } finally {
      project.cleanup();
    }
  });

  test('regenerating twice gives identical bytes and rewrites nothing', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      const before = snapshot(project.root);
      const inode = statSync(join(project.root, 'src/generated/agents.ts')).ino;
      const second = await run(project.root);
      assert.deepEqual(second.written, []);
      assert.deepEqual(snapshot(project.root), before);
      assert.equal(statSync(join(project.root, 'src/generated/agents.ts')).ino, inode, 'an unchanged generated file is not replaced');
    } finally {
      project.cleanup();
    }
  });

  test('a user-edited handler survives regeneration', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      const handler = join(project.root, 'src/agents/print-greetings.ts');
      const edited = `${readFileSync(handler, 'utf8')}\n// my own change\n`;
      writeFileSync(handler, edited);
      writeFileSync(join(project.root, 'faustgen.yaml'), topology.replace('concurrency: 2', 'concurrency: 3'));
      const result = await run(project.root);
      // The header carries the topology's hash, so every generated file changes; no user file does.
      assert.ok(result.written.includes('src/generated/agents.ts'));
      assert.deepEqual(result.written.filter((path) => !path.startsWith('src/generated/')), []);
      assert.equal(readFileSync(handler, 'utf8'), edited);
      assert.match(readFileSync(join(project.root, 'src/generated/agents.ts'), 'utf8'), /concurrency: 3/);
    } finally {
      project.cleanup();
    }
  });

  test('adding an agent adds only its stubs', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      writeFileSync(join(project.root, 'faustgen.yaml'), topology.replace('tables:\n  - name: counts', 'tables:\n  - name: counts').replace('  - name: audit\n', '  - name: shout\n    source: greeting-lines\n  - name: audit\n'));
      const result = await run(project.root);
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(result.userStubsAdded, ['src/agents/shout.ts', 'test/agents/shout.test.ts']);
      assert.match(readFileSync(join(project.root, 'src/generated/agents.ts'), 'utf8'), /import \{ shout as handleShout \} from '\.\.\/agents\/shout\.js'/);
    } finally {
      project.cleanup();
    }
  });

  test('removing an agent reports its stubs as orphaned and keeps them', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      writeFileSync(join(project.root, 'faustgen.yaml'), topology.replace('  - name: count-by-recipient\n    source: greetings\n    groupBy:\n      field: to_name\n    tables: [counts, per-minute, senders, latest]\n    concurrency: 2\n', ''));
      const result = await run(project.root);
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(result.orphanedStubs, ['src/agents/count-by-recipient.ts', 'test/agents/count-by-recipient.test.ts']);
      assert.ok(existsSync(join(project.root, 'src/agents/count-by-recipient.ts')));
    } finally {
      project.cleanup();
    }
  });

  test('check mode lists stale, missing and extra files and writes nothing', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      assert.deepEqual((await run(project.root, true)).stale, []);
      writeFileSync(join(project.root, 'src/generated/topics.ts'), '// edited by hand\n');
      writeFileSync(join(project.root, 'src/generated/leftover.ts'), 'export {};\n');
      const { rmSync } = await import('node:fs');
      rmSync(join(project.root, 'src/generated/main.ts'));
      const before = snapshot(project.root);
      const result = await run(project.root, true);
      assert.deepEqual(result.stale, ['src/generated/leftover.ts', 'src/generated/main.ts', 'src/generated/topics.ts']);
      assert.deepEqual(snapshot(project.root), before);
    } finally {
      project.cleanup();
    }
  });

  test('stale generated files are deleted, but only inside a marked folder', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      writeFileSync(join(project.root, 'src/generated/leftover.ts'), 'export {};\n');
      const result = await run(project.root);
      assert.deepEqual(result.deleted, ['src/generated/leftover.ts']);
      assert.equal(existsSync(join(project.root, 'src/generated/leftover.ts')), false);
    } finally {
      project.cleanup();
    }
  });

  test('a folder without the marker is never written into', async () => {
    const project = tempProject(topology);
    try {
      mkdirSync(join(project.root, 'src/generated'), { recursive: true });
      writeFileSync(join(project.root, 'src/generated/precious.ts'), 'export const mine = 1;\n');
      const result = await run(project.root);
      assert.equal(result.diagnostics.length, 1);
      assert.match(result.diagnostics[0]?.message ?? '', /no \.faustgen\.json marker/);
      assert.deepEqual(readdirSync(join(project.root, 'src/generated')), ['precious.ts']);
      assert.equal(existsSync(join(project.root, 'src/agents')), false);
    } finally {
      project.cleanup();
    }
  });

  test('an interrupted swap is recovered on the next run', async () => {
    const project = tempProject(topology);
    try {
      await run(project.root);
      const { renameSync } = await import('node:fs');
      renameSync(join(project.root, 'src/generated'), join(project.root, 'src/.generated.faustgen-previous'));
      const result = await run(project.root);
      assert.deepEqual(result.written, []);
      assert.ok(existsSync(join(project.root, 'src/generated/app.ts')));
      assert.equal(existsSync(join(project.root, 'src/.generated.faustgen-previous')), false);
    } finally {
      project.cleanup();
    }
  });
});
