/**
 * The schema pattern classifier (pattern-safety.ts): patterns it shows linear on a backtracking
 * engine run on RegExp, every other one on RE2JS; catastrophic patterns must never reach RegExp.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern } from '../../../../runtime/src/codegen/patterns.js';
import { isLinearOnBacktracking } from '../../../../runtime/src/codegen/pattern-safety.js';
import { parseRegex } from '../../../../runtime/src/codegen/regex-syntax.js';
import { contains } from '../../../../runtime/src/codegen/char-sets.js';
import { checkValue } from '../../../../runtime/src/codegen/check.js';
import type { TypeDesc } from '../../../../runtime/src/codegen/descriptors.js';
import type { ValidationIssue } from '../../../../runtime/src/codegen/issues.js';

const SAFE = [
  '^[^@\\s]+@[^@\\s]+$', // the bench record's email
  '^[A-Z]{3}-[0-9]{4,}$', // and its SKU
  '^[a-z]+(-[a-z]+)*$',
  '^\\d+(\\.\\d+)?$',
  '^(?:\\+1-)?[0-9]{4}$',
  '^(a|b)*c$',
  '^[\\s\\S]*$',
  '^(?<word>x)+$',
  '^(?:foo|bar)$|^baz',
  '\\d{3}', // unanchored, at most 3 characters from each start
  'foo',
  '^\\+?[1-9]\\d{1,14}$', // E.164 phone
  '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
];

const CATASTROPHIC = [
  '(a+)+$',
  '^(a+)+$',
  '(a|a)*',
  '^(a|a)*$',
  '(\\w+\\s?)*$',
  '^(\\w+\\s?)*$',
  '^(a*)*$',
  '^(a?)*$',
  '^a*a*$', // quadratic
  '^(a|ab)*c$',
  '^(.*a){12}$',
  '[a-z]+@', // unanchored and unbounded: quadratic over the start positions
  '^([a-z0-9]+\\.?)+@example\\.com$',
];

const NOT_UNDERSTOOD = ['^\\p{L}+$', '\\bword\\b', '(?<=a)b', '^(?=a)a+$', '(a)\\1', 'a^b', '(a$)b'];

describe('schema patterns: RegExp only where provably linear', () => {
  test('safe patterns run on RegExp', () => {
    for (const source of SAFE) {
      assert.equal(isLinearOnBacktracking(source), true, source);
      assert.equal(compilePattern(source).engine, 'RegExp', source);
    }
  });

  test('catastrophic (nested or overlapping quantifiers, ambiguous alternations) and quadratic patterns stay on RE2JS', () => {
    for (const source of CATASTROPHIC) {
      assert.equal(isLinearOnBacktracking(source), false, source);
      assert.equal(compilePattern(source).engine, 'RE2JS', source);
    }
  });

  test('syntax the classifier does not reason about stays on RE2JS (or is refused when RE2 cannot run it)', () => {
    for (const source of NOT_UNDERSTOOD) assert.equal(isLinearOnBacktracking(source), false, source);
    assert.equal(compilePattern('^\\p{L}+$').engine, 'RE2JS');
  });

  test('a catastrophic pattern on a long adversarial input gives its answer (RegExp would run for years)', () => {
    const issues = (desc: TypeDesc, value: unknown): ValidationIssue[] => {
      const found: ValidationIssue[] = [];
      checkValue(desc, value, '$', found);
      return found;
    };
    const nested: TypeDesc = { k: 'string', rules: { pattern: '^(\\w+\\s?)*$' } };
    assert.equal(issues(nested, `${'word '.repeat(20_000)}!`).length, 1);
    assert.deepEqual(issues(nested, 'two words'), []);
    const alternation: TypeDesc = { k: 'string', rules: { pattern: '(a|a)*b' } };
    assert.equal(issues(alternation, 'a'.repeat(50_000)).length, 1);
    assert.deepEqual(issues(alternation, 'aaab'), []);
  });

  test('safe patterns on RegExp answer on long adversarial inputs too', () => {
    const email = compilePattern('^[^@\\s]+@[^@\\s]+$');
    assert.equal(email.test(`${'a'.repeat(200_000)}@${'b'.repeat(200_000)} `), false);
    assert.equal(email.test(`${'a'.repeat(200_000)}@b`), true);
    const words = compilePattern('^[a-z]+(-[a-z]+)*$');
    assert.equal(words.test(`${'ab-'.repeat(100_000)}!`), false);
  });

  test('RegExp patterns keep ECMA-262 semantics with the u flag (\\s, ., code points), as JSON Schema requires', () => {
    // ECMA-262 \s includes U+00A0 and U+FEFF (RE2's \s does not).
    assert.equal(compilePattern('^[^@\\s]+@[^@\\s]+$').test('a\u00a0b@c'), false);
    assert.equal(compilePattern('^[^@\\s]+@[^@\\s]+$').test('a\u00e9b@c'), true);
    // With u, an astral character is one character for `.` and for counts.
    assert.equal(compilePattern('^.{2}$').test('\u{1F600}x'), true);
    // `.` does not match a line terminator.
    assert.equal(compilePattern('^.{2}$').test('a\u2028'), false);
  });

  test('the parser\'s character sets are the ones RegExp (u) matches', () => {
    const atoms = ['.', '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '[^@\\s]', '[a-z\\d_-]', '[-a]', '[a-]', '[\\]\\\\]', '[^]', '[]', '\\u00e9', '\\u{1F600}', '\\uD83D\\uDE00', '\\x41', '\\cJ', '\\0', '[\\b]', '\\/', '[\\s\\S]', '[^\\d\\s]', '\u{1F600}', '[\u{1F600}-\u{1F602}]', '\\v', '[\\u2000-\\u200f]'];
    const codePoints = [...Array.from({ length: 0x3100 }, (_, i) => i), 0xfeff, 0xffff, 0x1f600, 0x1f602, 0x1f603, 0x10ffff];
    for (const atom of atoms) {
      const tree = parseRegex(atom);
      const node = tree?.t === 'seq' && tree.items.length === 1 ? tree.items[0] : undefined;
      assert.ok(node?.t === 'chars', atom);
      const native = new RegExp(`^(?:${atom})$`, 'u');
      for (const cp of codePoints) {
        assert.equal(contains(node.set, cp), native.test(String.fromCodePoint(cp)), `${atom} on U+${cp.toString(16)}`);
      }
    }
  });
});
