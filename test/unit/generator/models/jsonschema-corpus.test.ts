/**
 * faustgen's own JSON Schema corpus (test/fixtures/jsonschema-corpus/, written from the specs): every
 * instance is accepted or refused by the generated decoder and by validate() exactly as the spec says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus } from '../../../fixtures/jsonschema-corpus/corpus.js';
import { generateProject } from './harness.js';
import type { GeneratedProject } from './harness.js';

interface Codec {
  decode(bytes: Buffer): unknown;
  validate(value: unknown): unknown[];
}

let dir: string;
let project: GeneratedProject;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'faustgen-corpus-'));
  const files = corpus.map((c) => {
    const file = join(dir, `${c.name}.schema.json`);
    writeFileSync(file, JSON.stringify(c.schema));
    return file;
  });
  project = await generateProject(files);
  assert.deepEqual(project.result.diagnostics, []);
});
after(() => {
  project.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('own JSON Schema corpus', () => {
  test('decode and validate() give the spec answer for every instance', async () => {
    let checked = 0;
    for (const c of corpus) {
      // The root model of each file (named after the file).
      const entry = project.result.catalog.entries.find((e) => e.location.file.endsWith(`/${c.name}.schema.json`) && e.location.pointer === '');
      assert.ok(entry !== undefined, c.name);
      const codec = (await project.load<Record<string, Codec>>(entry.modulePath.replace(/\.js$/, '.ts')))[`${entry.className}JsonCodec`];
      assert.ok(codec !== undefined);
      for (const t of c.tests) {
        let decoded = true;
        try {
          codec.decode(Buffer.from(JSON.stringify(t.data)));
        } catch {
          decoded = false;
        }
        assert.equal(decoded, t.valid, `${c.name}: decode ${JSON.stringify(t.data).slice(0, 80)}`);
        assert.equal(codec.validate(t.data).length === 0, t.valid, `${c.name}: validate() ${JSON.stringify(t.data).slice(0, 80)}`);
        checked++;
      }
    }
    assert.equal(checked, 54);
  });
});
