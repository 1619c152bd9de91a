import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLevel, type LogEntry } from 'kafkajs';
import { createLogger, MemoryLogSink } from '../../../runtime/src/core/logger.js';
import { isTransientKafkaLog, kafkaLogCreator } from '../../../runtime/src/transport/kafka/log-bridge.js';

function entry(level: logLevel, namespace: string, message: string, extra: Record<string, unknown> = {}): LogEntry {
  return { namespace, level, label: logLevel[level], log: { timestamp: new Date().toISOString(), logger: 'kafkajs', message, ...extra } };
}

test("kafkajs lines go through faustgen's logger in its format; transient leader and coordinator moves are debug, not ERROR", () => {
  const sink = new MemoryLogSink();
  const log = kafkaLogCreator(createLogger({ level: 'info', format: 'pretty', sink }).child('shop'))(logLevel.ERROR);
  log(entry(logLevel.ERROR, 'Connection', 'Response Metadata(key: 3, version: 6)', { broker: 'localhost:9092', error: 'This server is not the leader for that topic-partition', correlationId: 7 }));
  log(entry(logLevel.ERROR, 'Cluster', 'The group coordinator is not available', { groupId: 'shop', retryCount: 0 }));
  log(entry(logLevel.ERROR, 'Consumer', 'The group is rebalancing, so a rejoin is needed', { groupId: 'shop' }));
  assert.deepEqual(sink.lines, [], 'transient conditions are below info');
  log(entry(logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: 'localhost:9092' }));
  log(entry(logLevel.WARN, 'Producer', 'KafkaJS v2.0.0 switched default partitioner'));
  assert.equal(sink.lines.length, 2);
  assert.match(sink.lines[0] ?? '', /^\d\d:\d\d:\d\d\.\d{3} ERROR \[shop kafka Connection\] Connection error: connect ECONNREFUSED 127\.0\.0\.1:9092 broker=localhost:9092$/);
  assert.match(sink.lines[1] ?? '', / WARN  \[shop kafka Producer\] KafkaJS v2\.0\.0 switched default partitioner$/);
  assert.doesNotMatch(sink.lines.join('\n'), /"timestamp"|"logger":"kafkajs"/, 'no raw kafkajs JSON');
});

test('with debug on, the demoted lines are still there, as debug', () => {
  const sink = new MemoryLogSink();
  const log = kafkaLogCreator(createLogger({ level: 'debug', format: 'json', sink }))(logLevel.DEBUG);
  log(entry(logLevel.ERROR, 'Cluster', 'The group coordinator is not available'));
  const line = JSON.parse(sink.lines[0] ?? '{}') as { level: string; scope: string; msg: string };
  assert.deepEqual({ level: line.level, scope: line.scope, msg: line.msg }, { level: 'debug', scope: 'kafka Cluster', msg: 'The group coordinator is not available' });
  assert.equal(isTransientKafkaLog({ message: 'Crash: KafkaJSNumberOfRetriesExceeded', error: 'Connection refused' }), false);
});
