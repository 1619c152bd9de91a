import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology } from '../../../../generator/src/topology/load.js';

test('security: in faustgen.yaml reaches the settings; a password there is refused as an unknown key', () => {
  const ok = parseTopology('app: shop\nbroker: kafka://k:9093\nwebHost: 0.0.0.0\nsecurity:\n  protocol: sasl_ssl\n  ssl: { ca: certs/ca.pem }\n  sasl: { mechanism: scram-sha-256, username: shop }\n', '/p/faustgen.yaml', 'faustgen.yaml');
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(ok.topology?.settings.security, { protocol: 'sasl_ssl', ssl: { ca: 'certs/ca.pem' }, sasl: { mechanism: 'scram-sha-256', username: 'shop' } });
  assert.equal(ok.topology?.settings.webHost, '0.0.0.0');
  const bad = parseTopology('app: shop\nsecurity:\n  protocol: tls\n  sasl: { mechanism: gssapi, username: shop, password: hunter2 }\n', '/p/faustgen.yaml', 'faustgen.yaml');
  const messages = bad.diagnostics.map((d) => `${d.where.pointer}: ${d.message}`);
  assert.ok(messages.some((m) => m.startsWith('/security/protocol: unknown security protocol "tls"')), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('/security/sasl/mechanism: unknown SASL mechanism "gssapi"')), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('/security/sasl/password: unknown key "password"')), messages.join('\n'));
});

test('a page declares its HTTP methods; unknown ones are refused', () => {
  const page = (methods: string): ReturnType<typeof parseTopology> => parseTopology(`app: shop\npages:\n  - name: p\n    path: /p/:id\n    methods: ${methods}\n`, '/p/faustgen.yaml', 'faustgen.yaml');
  assert.deepEqual(page('[get, PUT]').topology?.pages[0]?.methods, ['GET', 'PUT']);
  const bad = page('[GET, FETCH]').diagnostics.map((d) => `${d.where.pointer}: ${d.message}`);
  assert.deepEqual(bad, ['/pages/0/methods/1: unknown HTTP method "FETCH"']);
});

test('faustgen.yaml takes every broker scheme the worker takes (the driver is chosen by it); others are refused where they stand', () => {
  for (const broker of ['memory://', 'kafka://k:9092', 'kafka+platformatic://k:9092;l', 'kafka+kafkajs://k']) {
    assert.deepEqual(parseTopology(`app: shop\nbroker: ${broker}\n`, '/p/faustgen.yaml', 'faustgen.yaml').diagnostics, [], broker);
  }
  const bad = parseTopology('app: shop\nbroker: kafka+rdkafka://k\n', '/p/faustgen.yaml', 'faustgen.yaml').diagnostics.map((d) => `${d.where.pointer}: ${d.message}`);
  assert.deepEqual(bad, ['/broker: unsupported broker URL "kafka+rdkafka://k"']);
});
