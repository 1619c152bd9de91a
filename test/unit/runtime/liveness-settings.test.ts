import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kafkaDriverSettings } from '../../../runtime/src/app/kafka-settings.js';
import { resolveSettings, settingsFromEnv } from '../../../runtime/src/app/settings.js';
import { createLogger } from '../../../runtime/src/core/logger.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';

const known = (): boolean => true;

test('liveness settings: defaults for fast, safe failover; replication chosen by the driver', () => {
  const settings = resolveSettings({ id: 'a' }, known);
  assert.equal(settings.sessionTimeoutMs, 10_000);
  assert.equal(settings.heartbeatIntervalMs, 1_000);
  assert.equal(settings.rebalanceTimeoutMs, 60_000);
  assert.equal(settings.commitIntervalMs, 2_800);
  assert.equal(settings.topicReplicationFactor, -1);
  assert.equal(resolveSettings({ id: 'a', topicReplicationFactor: 2 }, known).topicReplicationFactor, 2);
});

test('liveness settings: a heartbeat not below the session timeout, or a bad number, names the setting', () => {
  for (const [input, setting] of [
    [{ heartbeatIntervalMs: 10_000 }, 'heartbeatIntervalMs'],
    [{ sessionTimeoutMs: 0 }, 'sessionTimeoutMs'],
    [{ rebalanceTimeoutMs: 1.5 }, 'rebalanceTimeoutMs'],
    [{ topicReplicationFactor: 0 }, 'topicReplicationFactor'],
  ] as const) {
    assert.throws(
      () => resolveSettings({ id: 'a', ...input }, known),
      (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID') && e instanceof Error && e.message.includes(setting),
    );
  }
});

test('liveness settings: FAUSTGEN_* environment variables', () => {
  assert.deepEqual(
    settingsFromEnv({ FAUSTGEN_SESSION_TIMEOUT_MS: '6000', FAUSTGEN_HEARTBEAT_INTERVAL_MS: '500', FAUSTGEN_REBALANCE_TIMEOUT_MS: '20000', FAUSTGEN_COMMIT_INTERVAL_MS: '250' }),
    { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 20_000, commitIntervalMs: 250 },
  );
  assert.throws(() => settingsFromEnv({ FAUSTGEN_SESSION_TIMEOUT_MS: '10s' }), (e: unknown) => e instanceof Error && e.message.includes('FAUSTGEN_SESSION_TIMEOUT_MS'));
});

test('liveness settings reach the kafka consumer; explicit driver options win field by field', () => {
  const settings = resolveSettings({ id: 'a', sessionTimeoutMs: 7_000, heartbeatIntervalMs: 700 }, known);
  const log = createLogger({ level: 'error' });
  assert.deepEqual(kafkaDriverSettings(settings, undefined, log)['consumer'], { sessionTimeoutMs: 7_000, heartbeatIntervalMs: 700, rebalanceTimeoutMs: 60_000 });
  const merged = kafkaDriverSettings(settings, { logLevel: 'nothing', consumer: { rebalanceTimeoutMs: 5_000, maxWaitTimeMs: 100 } }, log);
  assert.deepEqual(merged['consumer'], { sessionTimeoutMs: 7_000, heartbeatIntervalMs: 700, rebalanceTimeoutMs: 5_000, maxWaitTimeMs: 100 });
  assert.equal(merged['logLevel'], 'nothing');
  assert.equal(merged['log'], log);
});

test('maxOutputsInFlight, changelogBufferSize, commitIntervalMs and tableCacheSize: defaults, environment, and a clear error for bad values', () => {
  const defaults = resolveSettings({ id: 'flow' }, () => true);
  assert.equal(defaults.maxOutputsInFlight, 20_000);
  assert.equal(defaults.changelogBufferSize, 100_000);
  assert.equal(defaults.commitIntervalMs, 2800);
  assert.equal(resolveSettings({ id: 'flow', processingGuarantee: 'exactly_once' }, () => true).commitIntervalMs, 1000, 'exactly-once keeps 1 s: its outputs are visible only at the commit');
  assert.equal(resolveSettings({ id: 'flow', processingGuarantee: 'exactly_once', commitIntervalMs: 300 }, () => true).commitIntervalMs, 300);
  assert.equal(defaults.tableCacheSize, 50_000);
  assert.deepEqual(settingsFromEnv({ FAUSTGEN_MAX_OUTPUTS_IN_FLIGHT: '500', FAUSTGEN_CHANGELOG_BUFFER_SIZE: '0' }), { maxOutputsInFlight: 500, changelogBufferSize: 0 });
  assert.throws(() => settingsFromEnv({ FAUSTGEN_MAX_OUTPUTS_IN_FLIGHT: '0' }), (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID') && /FAUSTGEN_MAX_OUTPUTS_IN_FLIGHT/.test((e as Error).message));
  assert.throws(() => resolveSettings({ id: 'flow', changelogBufferSize: -1 }, () => true), (e: unknown) => FaustgenError.hasCode(e, 'FG_SETTING_INVALID') && /changelogBufferSize/.test((e as Error).message));
});

// faustgen.schema.json tells editors the defaults; session 22 raised maxOutputsInFlight to 20,000 in
// the runtime and the schema still said 10,000. Every numeric default the schema states must be the
// one a worker runs with.
test('faustgen.schema.json states the runtime defaults of the settings it documents', async () => {
  const { readFile } = await import('node:fs/promises');
  const schema = JSON.parse(await readFile(new URL('../../../schemas/faustgen.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, { default?: unknown }> };
  const defaults = resolveSettings({ id: 'a' }, known) as unknown as Record<string, unknown>;
  const checked: string[] = [];
  for (const [name, property] of Object.entries(schema.properties)) {
    if (typeof property.default !== 'number' || !(name in defaults)) continue;
    assert.equal(defaults[name], property.default, `schema default of ${name}`);
    checked.push(name);
  }
  assert.ok(checked.includes('commitIntervalMs') && checked.includes('maxOutputsInFlight') && checked.includes('changelogBufferSize'), `checked: ${checked.join(', ')}`);
});
