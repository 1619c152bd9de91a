import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandSchemaPaths } from '../../../../generator/src/topology/schema-files.js';

function folder(): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'faustgen-schema-paths-'));
  mkdirSync(join(root, 'schemas/nested'), { recursive: true });
  writeFileSync(join(root, 'schemas/a.avsc'), '{}');
  writeFileSync(join(root, 'schemas/nested/b.avsc'), '{}');
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

// Issue 13: a symlink loop under schemas/ was silently skipped; `schemas: ["/**/*.avsc"]` scanned the
// whole file system, then failed with a raw ENOENT on /proc.
test('a symbolic link loop under a schema folder is a diagnostic naming the link', async () => {
  const project = folder();
  try {
    symlinkSync(join(project.root, 'schemas'), join(project.root, 'schemas/nested/back'));
    for (const pattern of ['schemas', 'schemas/**/*.avsc']) {
      const result = await expandSchemaPaths(project.root, [pattern], 'faustgen.yaml');
      assert.equal(result.diagnostics.length, 1, pattern);
      assert.match(result.diagnostics[0]?.message ?? '', /symbolic link loop: "schemas\/nested\/back" leads back to "schemas"/);
      assert.equal(result.diagnostics[0]?.where.pointer, '/schemas/0');
    }
  } finally {
    project.cleanup();
  }
});

test('a glob rooted at the file system root is refused before any scan', async () => {
  const project = folder();
  try {
    const result = await expandSchemaPaths(project.root, ['schemas', '/**/*.avsc'], 'faustgen.yaml');
    assert.equal(result.diagnostics.length, 1);
    assert.match(result.diagnostics[0]?.message ?? '', /schema path "\/\*\*\/\*\.avsc": would search the whole file system/);
    assert.equal(result.diagnostics[0]?.where.pointer, '/schemas/1');
  } finally {
    project.cleanup();
  }
});

test('symbolic links to schema files and folders (no loop) are followed', async () => {
  const project = folder();
  try {
    const shared = mkdtempSync(join(tmpdir(), 'faustgen-shared-'));
    writeFileSync(join(shared, 'c.avsc'), '{}');
    symlinkSync(shared, join(project.root, 'schemas/shared'));
    symlinkSync(join(project.root, 'schemas/a.avsc'), join(project.root, 'schemas/nested/a-link.avsc'));
    const result = await expandSchemaPaths(project.root, ['schemas'], 'faustgen.yaml');
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.files.map((file) => file.slice(project.root.length + 1)), ['schemas/a.avsc', 'schemas/nested/a-link.avsc', 'schemas/nested/b.avsc', 'schemas/shared/c.avsc']);
    rmSync(shared, { recursive: true, force: true });
  } finally {
    project.cleanup();
  }
});
