import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generate } from '../../../../generator/src/pipeline.js';
import { fakeModels, fixtures, tempProject } from '../app/project.js';

const folder = join(fixtures, 'broken');
const files = readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort();

describe('broken topology corpus', () => {
  test('has at least 30 cases', () => {
    assert.ok(files.length >= 30, `only ${files.length} broken fixtures`);
  });

  for (const name of files) {
    test(name, async () => {
      const text = readFileSync(join(folder, name), 'utf8');
      const header = /^# expect: line (\d+), (\d+) problem\(s\): (.+)$/m.exec(text);
      assert.ok(header, `${name} lacks an "# expect: line N, M problem(s): message" header`);
      const [, line, count, message] = header;
      const project = tempProject(text);
      try {
        const result = await generate({ projectRoot: project.root }, { generateModels: fakeModels });
        assert.equal(result.diagnostics.length, Number(count), result.diagnostics.map((d) => d.message).join('\n'));
        const hit = result.diagnostics.find((diagnostic) => diagnostic.message.includes(message ?? '') || `${diagnostic.message} — ${diagnostic.hint ?? ''}`.includes(message ?? ''));
        assert.ok(hit, `no diagnostic says ${message}; got:\n${result.diagnostics.map((d) => d.message).join('\n')}`);
        assert.equal(hit.where.file, 'faustgen.yaml');
        assert.equal(hit.where.line, Number(line));
        for (const diagnostic of result.diagnostics) {
          assert.ok(diagnostic.where.line !== undefined || diagnostic.where.pointer !== undefined, `${diagnostic.message} has neither line nor pointer`);
        }
        assert.deepEqual(result.written, []);
        assert.equal(existsSync(join(project.root, 'src')), false, 'nothing may be written');
        assert.equal(existsSync(join(project.root, 'test')), false, 'nothing may be written');
      } finally {
        project.cleanup();
      }
    });
  }
});
