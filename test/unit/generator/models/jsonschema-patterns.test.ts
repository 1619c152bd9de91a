import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fg from '../../../../runtime/src/codegen/index.js';
import type { TypeDesc, ValidationIssue } from '../../../../runtime/src/codegen/index.js';
import { generateModels } from '../../../../generator/src/models/index.js';
import { outDir, repoRoot } from './harness.js';

function issuesOf(desc: TypeDesc, value: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  fg.checkValue(desc, value, '$', issues);
  return issues;
}

describe('schema patterns run in linear time (RE2JS)', () => {
  test('^(a+)+$ on a long non-matching input returns (a backtracking engine would not, for minutes)', () => {
    const desc: TypeDesc = { k: 'string', rules: { pattern: '^(a+)+$' } };
    const evil = `${'a'.repeat(50_000)}!`;
    assert.equal(issuesOf(desc, evil).length, 1);
    assert.deepEqual(issuesOf(desc, 'aaaa'), []);
  });

  test('JSON Schema patterns are searched, not anchored; \\d, classes and Unicode work', () => {
    const search: TypeDesc = { k: 'string', rules: { pattern: '\\d{3}' } };
    assert.deepEqual(issuesOf(search, 'abc123def'), []);
    assert.equal(issuesOf(search, 'abc12').length, 1);
    const unicode: TypeDesc = { k: 'string', rules: { pattern: '^\\p{L}+$' } };
    assert.deepEqual(issuesOf(unicode, 'héllo'), []);
  });

  test('codegen refuses patterns RE2 cannot run (lookaround, backreferences) with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faustgen-patterns-'));
    try {
      const file = join(dir, 'p.schema.json');
      writeFileSync(
        file,
        JSON.stringify({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          properties: { ahead: { type: 'string', pattern: '^(?=a)a+$' }, back: { type: 'string', pattern: '(a)\\1' }, fine: { type: 'string', pattern: '^(a+)+$' } },
        }),
      );
      const result = await generateModels({ schemaFiles: [file], projectRoot: repoRoot, outDir });
      const messages = result.diagnostics.map((d) => `${d.where.pointer ?? ''} ${d.message}`);
      assert.equal(messages.length, 2, messages.join('\n'));
      assert.match(messages[0] ?? '', /^\/properties\/ahead\/pattern pattern is not supported by the linear-time regular expression engine/);
      assert.match(messages[1] ?? '', /^\/properties\/back\/pattern pattern is not supported/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
