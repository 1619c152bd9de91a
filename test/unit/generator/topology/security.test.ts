import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaBrokers } from '../../../../generator/src/cli/send-message.js';
import { parseTopology } from '../../../../generator/src/topology/load.js';
import { BROKER_URL_SCHEMES, parseBrokerUrl } from '../../../../runtime/src/index.js';

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
  const bad = parseTopology('app: shop\nbroker: kafka+rdkafka://k\n', '/p/faustgen.yaml', 'faustgen.yaml').diagnostics;
  assert.deepEqual(bad.map((d) => `${d.where.pointer}: ${d.message}`), ['/broker: unsupported broker URL "kafka+rdkafka://k"']);
  assert.match(bad[0]?.hint ?? '', /use one of memory:\/\/, kafka:\/\/, kafka\+platformatic:\/\/, kafka\+kafkajs:\/\//);
});

test('the generator takes exactly the runtime\'s broker schemes: faustgen.yaml all of them, `faustgen send` the Kafka ones', () => {
  const yamlTakes = (broker: string): boolean => parseTopology(`app: shop\nbroker: ${broker}\n`, '/p/faustgen.yaml', 'faustgen.yaml').diagnostics.length === 0;
  const sendTakes = (broker: string): boolean => {
    try {
      return kafkaBrokers(broker).length > 0;
    } catch {
      return false;
    }
  };
  for (const scheme of BROKER_URL_SCHEMES) {
    const broker = `${scheme}://k:9092`;
    assert.equal(parseBrokerUrl(broker).url, broker, `the worker takes ${broker}`);
    assert.ok(yamlTakes(broker), `faustgen.yaml takes ${broker}`);
    assert.equal(sendTakes(broker), scheme !== 'memory', `faustgen send on ${broker}`);
  }
  for (const broker of ['kafka+rdkafka://k:9092', 'redpanda://k:9092', 'k:9092']) {
    assert.throws(() => parseBrokerUrl(broker), /FG_BROKER_URL_INVALID|not a URL|unknown transport/, broker);
    assert.equal(yamlTakes(broker), false, `faustgen.yaml refuses ${broker}`);
    assert.equal(sendTakes(broker), false, `faustgen send refuses ${broker}`);
  }
});
