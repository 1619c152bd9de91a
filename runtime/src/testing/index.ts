/**
 * faustgen/testing: drive an app or a single agent without a broker. Events go through the real
 * embedded broker, codecs and consumer group, so decode errors, commits and tables behave as in a
 * worker; time is a manual clock that the test advances.
 *
 * @example
 * const driver = await startTestDriver((testing) => buildApp(testing));
 * await driver.send('orders', { key: 'o1', value: order });
 * await driver.settle();
 * assert.deepEqual(driver.records('totals').map((r) => r.value), [42]);
 */
import { randomUUID } from 'node:crypto';
import { createApp, type App, type AppOptions } from '../app/app.js';
import type { AppSettingsInput } from '../app/settings.js';
import { ManualClock } from '../core/clock.js';
import { FaustgenError } from '../core/errors.js';
import { MemoryLogSink } from '../core/logger.js';
import { getMemoryBroker, memoryBrokerName, resetMemoryBroker } from '../transport/memory/registry.js';
import type { Headers } from '../types/transport.js';

/** Settings and options a test app is built with: a private embedded broker, memory store, manual clock. */
export interface TestingOverrides {
  readonly settings: Pick<AppSettingsInput, 'broker' | 'store' | 'commitIntervalMs' | 'logLevel'>;
  readonly options: AppOptions & { readonly clock: ManualClock; readonly logSink: MemoryLogSink };
}

export interface DecodedRecord<K, V> {
  readonly key: K | undefined;
  readonly value: V;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: Headers;
}

export function testingOverrides(options: { readonly startTime?: number; readonly logLevel?: AppSettingsInput['logLevel'] } = {}): TestingOverrides {
  return {
    settings: { broker: `memory://test-${randomUUID()}`, store: 'memory://', commitIntervalMs: 50, logLevel: options.logLevel ?? 'warn' },
    options: { clock: new ManualClock(options.startTime ?? Date.UTC(2024, 0, 1)), logSink: new MemoryLogSink() },
  };
}

export class TestDriver {
  constructor(
    readonly app: App,
    readonly clock: ManualClock,
    readonly logs: MemoryLogSink,
  ) {}

  /** Sends to a topic (by name) with its codecs, or to an agent. */
  async send(target: string, message: { key?: unknown; value: unknown; partition?: number; timestamp?: number; headers?: Headers }): Promise<void> {
    const agent = this.app.agents.get(target);
    if (agent !== undefined) {
      await agent.send(message as never);
      return;
    }
    const topic = this.app.topics.get(target);
    if (topic === undefined) throw new FaustgenError('FG_TOPIC_MISSING', `test driver: no topic or agent named "${target}"`, { details: { topic: target } });
    await topic.send(message as never);
  }

  /** Waits until every record on the broker has been delivered and processed, then commits. */
  async settle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let quietRounds = 0;
    while (quietRounds < 3) {
      if (this.app.crashed !== undefined) throw this.app.crashed;
      if (Date.now() > deadline) throw new FaustgenError('FG_STALLED', `test driver: the app did not settle within ${timeoutMs} ms`, { details: { positions: this.app.positions() } });
      quietRounds = this.app.idle() && this.caughtUp() ? quietRounds + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await this.app.commit();
  }

  /** Every record of a topic, decoded with the topic's codecs, in partition then offset order. */
  records<K = unknown, V = unknown>(topicName: string): DecodedRecord<K, V>[] {
    const topic = this.app.topics.get(topicName);
    const broker = this.broker();
    const described = broker.describe(topicName);
    if (described === undefined) return [];
    const out: DecodedRecord<K, V>[] = [];
    for (let partition = 0; partition < described.partitions; partition++) {
      const log = broker.log(topicName, partition);
      for (const record of log.read(0, log.high)) {
        out.push({
          key: (record.key === null ? undefined : topic === undefined ? record.key : topic.keyCodec.decode(record.key)) as K | undefined,
          value: (record.value === null ? null : topic === undefined ? record.value : topic.valueCodec.decode(record.value)) as V,
          partition,
          offset: record.offset,
          timestamp: record.timestamp,
          headers: record.headers,
        });
      }
    }
    return out;
  }

  /** Moves the app clock forward: timers, crontabs, take() deadlines and rate limits fire. */
  async advanceTime(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    resetMemoryBroker(memoryBrokerName(this.app.settings.broker.url));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private broker(): ReturnType<typeof getMemoryBroker> {
    return getMemoryBroker(memoryBrokerName(this.app.settings.broker.url));
  }

  private caughtUp(): boolean {
    const broker = this.broker();
    const group = broker.group(this.app.id);
    for (const p of this.app.positions()) {
      const high = broker.log(p.topic, p.partition).high;
      const position = p.position ?? group.committedOffset(p.topic, p.partition) ?? 0;
      if (position < high) return false;
    }
    return true;
  }
}

/**
 * Builds the app with testing overrides (embedded broker, memory store, manual clock), starts it and
 * waits until it is ready.
 */
export async function startTestDriver(build: (testing: TestingOverrides) => App): Promise<TestDriver> {
  const testing = testingOverrides();
  const app = build(testing);
  if (app.settings.broker.driver !== 'memory') {
    throw new FaustgenError('FG_SETTING_INVALID', 'startTestDriver: the app must use the testing overrides (an embedded memory:// broker)', { details: { setting: 'broker' } });
  }
  await app.start();
  await app.whenReady();
  return new TestDriver(app, testing.options.clock, testing.options.logSink);
}

/** Convenience for a hand-written app: createApp with the testing overrides merged in. */
export function createTestApp(settings: AppSettingsInput, testing: TestingOverrides = testingOverrides()): App {
  return createApp({ ...settings, ...testing.settings }, testing.options);
}

export { ManualClock, MemoryLogSink };
