import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FaustgenError } from '../../../../runtime/src/core/errors.js';
import { registryAuthFromEnv } from '../../../../runtime/src/registry/client.js';
import { frame, payloadOf, schemaIdOf } from '../../../../runtime/src/registry/framing.js';
import { subjectName } from '../../../../runtime/src/registry/subject.js';

describe('registry wire format, subjects and credentials', () => {
  test('frame: magic byte 0, big-endian schema id, payload', () => {
    const framed = frame(0x01020304, Buffer.from([9, 8]));
    assert.deepEqual([...framed], [0, 1, 2, 3, 4, 9, 8]);
    assert.equal(schemaIdOf(framed), 0x01020304);
    assert.deepEqual([...payloadOf(framed)], [9, 8]);
    assert.equal(schemaIdOf(frame(2 ** 31 - 1, Buffer.alloc(0))), 2 ** 31 - 1);
  });

  test('bytes not in the wire format are FG_SCHEMA_FRAMING', () => {
    for (const bytes of [Buffer.from([0, 0, 1]), Buffer.from([1, 0, 0, 0, 1, 5]), Buffer.from('{"json":1}')]) {
      assert.throws(() => schemaIdOf(bytes), (error: unknown) => FaustgenError.hasCode(error, 'FG_SCHEMA_FRAMING') && error.kind === 'data');
    }
  });

  test('subject name strategies', () => {
    assert.equal(subjectName('topic', 'orders', false, 'shop.Order'), 'orders-value');
    assert.equal(subjectName('topic', 'orders', true, undefined), 'orders-key');
    assert.equal(subjectName('record', 'orders', false, 'shop.Order'), 'shop.Order');
    assert.equal(subjectName('topic-record', 'orders', false, 'shop.Order'), 'orders-shop.Order');
    assert.throws(() => subjectName('record', 'orders', false, undefined), (error: unknown) => FaustgenError.hasCode(error, 'FG_SETTING_INVALID'));
  });

  test('credentials come from the environment: bearer wins over basic', () => {
    assert.equal(registryAuthFromEnv({}), undefined);
    assert.deepEqual(registryAuthFromEnv({ FAUSTGEN_SCHEMA_REGISTRY_USERNAME: 'u', FAUSTGEN_SCHEMA_REGISTRY_PASSWORD: 'p' }), { kind: 'basic', username: 'u', password: 'p' });
    assert.deepEqual(registryAuthFromEnv({ FAUSTGEN_SCHEMA_REGISTRY_USERNAME: 'u', FAUSTGEN_SCHEMA_REGISTRY_TOKEN: 't' }), { kind: 'bearer', token: 't' });
  });
});
