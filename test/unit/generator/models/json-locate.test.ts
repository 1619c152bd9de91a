import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonSyntaxError, parseLocatedJson, pointerJoin, valueAt } from '../../../../generator/src/models/json-locate.js';

const text = `{
  "type": "record",
  "fields": [
    { "name": "a/b~c", "type": "int" },
    {
      "name": "b",
      "type": ["null", "string"]
    }
  ]
}`;

describe('located JSON parser', () => {
  test('parses like JSON.parse', () => {
    assert.deepEqual(parseLocatedJson(text).value, JSON.parse(text));
    for (const sample of ['0', '-1.5e3', '"\\u00e9\\n"', '[]', '{}', 'true', 'null', '[1,[2,[3]]]', ' {"a" : { "b" : [ ] } } ']) {
      assert.deepEqual(parseLocatedJson(sample).value, JSON.parse(sample), sample);
    }
  });

  test('maps JSON pointers (with ~0/~1 escapes) to line and column of the value', () => {
    const located = parseLocatedJson(text);
    assert.deepEqual(located.locate(''), { line: 1, column: 1 });
    assert.deepEqual(located.locate('/type'), { line: 2, column: 11 });
    assert.deepEqual(located.locate('/fields/0/name'), { line: 4, column: 15 });
    assert.deepEqual(located.locate(pointerJoin('/fields/0', 'name')), { line: 4, column: 15 });
    assert.equal(valueAt(located.value, '/fields/0/name'), 'a/b~c');
    assert.deepEqual(located.locate('/fields/1/type/1'), { line: 7, column: 24 });
  });

  test('an unknown pointer falls back to its nearest existing ancestor', () => {
    const located = parseLocatedJson(text);
    assert.deepEqual(located.locate('/fields/1/default'), located.locate('/fields/1'));
    assert.deepEqual(located.locate('/fields/1'), { line: 5, column: 5 });
  });

  test('syntax errors carry line and column', () => {
    for (const [bad, line, column] of [
      ['{\n  "a": 1,\n}', 3, 1],
      ['{"a" 1}', 1, 6],
      ['[1, 2', 1, 6],
      ['{"a": tru}', 1, 7],
      ['{"a": "x"} extra', 1, 12],
      ['{"a": "\u0001"}', 1, 7],
    ] as const) {
      assert.throws(
        () => parseLocatedJson(bad),
        (e: unknown) => e instanceof JsonSyntaxError && e.position.line === line && e.position.column === column,
        JSON.stringify(bad),
      );
    }
  });

  test('duplicate keys are listed; __proto__ stays an ordinary own key', () => {
    const located = parseLocatedJson('{"a": 1, "a": 2, "__proto__": {"x": 1}}');
    assert.deepEqual(located.duplicateKeys, ['/a']);
    const value = located.value as Record<string, unknown>;
    assert.equal(value['a'], 2);
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });
});
