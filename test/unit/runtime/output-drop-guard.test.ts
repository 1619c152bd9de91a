// An output is dropped as abandoned (FG_PARTITION_REVOKED, FG_TRANSACTION_ABORTED) on the promise that
// its event is processed again: its partition's tracker is retired, so the event's offset is never
// committed here. An output dropped while its event is still live would be committed without it —
// the way a 3-broker exactly-once run lost events with their offsets committed (issue 9). The router
// then gives the partitions up (FG_OUTPUT_DROPPED) instead of letting the commit pass the event; a
// dropped output of a stale event stays quiet. No broker: the router's host is a stand-in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputHold } from '../../../runtime/src/app/output-hold.js';
import { OutputRouter, type OutputRouterHost } from '../../../runtime/src/app/output-router.js';
import type { ExactlyOnce } from '../../../runtime/src/app/exactly-once.js';
import type { AppMetrics } from '../../../runtime/src/app/metrics.js';
import { FaustgenError } from '../../../runtime/src/core/errors.js';
import { createLogger } from '../../../runtime/src/core/logger.js';
import { SensorSet } from '../../../runtime/src/sensors/sensor.js';
import type { EventTracing } from '../../../runtime/src/sensors/tracing.js';
import { actorStorage } from '../../../runtime/src/streams/current.js';
import { Event } from '../../../runtime/src/streams/event.js';
import type { Producer } from '../../../runtime/src/types/transport.js';

const quiet = createLogger({ level: 'error', sink: { write: () => undefined } });

function router(): { router: OutputRouter; dropped: FaustgenError[] } {
  const dropped: FaustgenError[] = [];
  // Exactly-once with no transactional producer for the event's partition: its output is abandoned.
  const exactlyOnce = { active: true, isTransactional: () => true, producerFor: () => undefined } as unknown as ExactlyOnce;
  const host: OutputRouterHost = {
    log: quiet,
    metrics: { messagesSent: 0, sendErrors: 0 } as unknown as AppMetrics,
    sensors: new SensorSet(quiet),
    tracing: { stamp: (record: unknown) => record } as unknown as EventTracing,
    outputHold: new OutputHold(),
    producer: () => ({}) as Producer,
    exactlyOnce: () => exactlyOnce,
    running: () => true,
    crash: (error) => assert.fail(error),
    liveOutputDropped: (failure) => dropped.push(failure),
  };
  return { router: new OutputRouter(host), dropped };
}

function eventOf(retired: boolean): Event<unknown, unknown> {
  const record = { topic: 'orders', partition: 3, offset: 1595, timestamp: 0, key: null, value: null, headers: {} };
  return new Event(null, null, record, { ack: () => undefined, retired }, undefined);
}

async function sendAs(event: Event<unknown, unknown>, r: OutputRouter): Promise<unknown> {
  return actorStorage.run({ current: event, agent: 'sum' }, () => r.produce({ topic: 'out', key: null, value: Buffer.from('x') }).catch((error: unknown) => error));
}

test('an output of a live event that is dropped gives the partitions up (FG_OUTPUT_DROPPED)', async () => {
  const { router: r, dropped } = router();
  const error = await sendAs(eventOf(false), r);
  assert.ok(FaustgenError.hasCode(error, 'FG_PARTITION_REVOKED'), 'the sender still learns that its output was dropped');
  assert.equal(dropped.length, 1);
  assert.equal(dropped[0]?.code, 'FG_OUTPUT_DROPPED');
  assert.match(dropped[0]?.message ?? '', /orders\[3\]@1595/);
});

test('an output of a stale event (its partition moved or started over) is dropped quietly', async () => {
  const { router: r, dropped } = router();
  const error = await sendAs(eventOf(true), r);
  assert.ok(FaustgenError.hasCode(error, 'FG_PARTITION_REVOKED'));
  assert.deepEqual(dropped, []);
});
