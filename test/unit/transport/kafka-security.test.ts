import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { resolveBrokerSecurity } from '../../../runtime/src/transport/kafka/security.js';

const isSetting = (pattern: RegExp) => (error: unknown): boolean => FaustgenError.hasCode(error, 'FG_SETTING_INVALID') && error.kind === 'user' && pattern.test(error.message);

test('plaintext without a security block; TLS files are read; SASL secrets come from the environment only', () => {
  assert.deepEqual(resolveBrokerSecurity(undefined, {}), { summary: 'plaintext' });
  const dir = mkdtempSync(join(tmpdir(), 'fg-sec-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    const resolved = resolveBrokerSecurity({ protocol: 'sasl_ssl', ssl: { ca: 'ca.pem' }, sasl: { mechanism: 'scram-sha-512', username: 'alice' } }, { FAUSTGEN_KAFKA_SASL_PASSWORD: 's3cret' }, dir);
    assert.deepEqual(resolved, { ssl: { ca: 'CA PEM' }, sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' }, summary: 'sasl_ssl, scram-sha-512, user alice' });
    // Environment variables override the file's fields one by one.
    const overridden = resolveBrokerSecurity({ protocol: 'sasl_ssl', sasl: { mechanism: 'scram-sha-512', username: 'alice' } }, { FAUSTGEN_KAFKA_SASL_MECHANISM: 'PLAIN', FAUSTGEN_KAFKA_SASL_USERNAME: 'bob', FAUSTGEN_KAFKA_SASL_PASSWORD: 'pw' });
    assert.deepEqual(overridden.sasl, { mechanism: 'plain', username: 'bob', password: 'pw' });
    assert.equal(overridden.ssl, true);
    assert.deepEqual(resolveBrokerSecurity({ sasl: { mechanism: 'oauthbearer' } }, { FAUSTGEN_KAFKA_SASL_OAUTHBEARER_TOKEN: 'tok' }).sasl, { mechanism: 'oauthbearer', token: 'tok' });
    assert.throws(() => resolveBrokerSecurity({ protocol: 'ssl', ssl: { ca: 'missing.pem' } }, {}, dir), isSetting(/security\.ssl\.ca.*missing\.pem.*cannot be read/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('security mistakes are one-line user errors naming the setting or the variable', () => {
  assert.throws(() => resolveBrokerSecurity({ protocol: 'sasl_ssl', sasl: { mechanism: 'plain', username: 'alice' } }, {}), isSetting(/FAUSTGEN_KAFKA_SASL_PASSWORD/));
  assert.throws(() => resolveBrokerSecurity({ protocol: 'sasl_ssl' }, {}), isSetting(/security\.sasl\.mechanism/));
  assert.throws(() => resolveBrokerSecurity({ sasl: { mechanism: 'oauthbearer' } }, {}), isSetting(/FAUSTGEN_KAFKA_SASL_OAUTHBEARER_TOKEN/));
  assert.throws(() => resolveBrokerSecurity({ protocol: 'plaintext', sasl: { mechanism: 'plain' } }, {}), isSetting(/needs protocol sasl_ssl or sasl_plaintext/));
  assert.throws(() => resolveBrokerSecurity(undefined, { FAUSTGEN_KAFKA_SECURITY_PROTOCOL: 'tls' }), isSetting(/security\.protocol/));
  assert.throws(() => resolveBrokerSecurity({ protocol: 'ssl', ssl: { cert: 'c.pem' } }, {}), isSetting(/both "cert" and "key"/));
});
